package ai.track.capidispatch.metrics;

import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static ai.track.capidispatch.support.TestInfrastructure.SECOND_PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.dispatch.DispatchMetrics;
import ai.track.capidispatch.dispatch.GatewayResult;
import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.cbor.CBORMapper;

/**
 * With publishing on and the real CloudWatch client pointed at a stand-in: what leaves the process is the
 * contract's namespace and metric names, and no JVM or HTTP meters; Prometheus still has everything. The
 * per-pixel percentiles go out as {@code EventAgePercentile} and {@code MetaRequestLatencyPercentile} with
 * {@code Percentile} and {@code PixelId} dimensions, in milliseconds.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Closed after the class: a cached context would go on publishing to the shared stand-in every second and
// show up in other classes' "no unexpected request" checks.
@DirtiesContext
class CloudWatchPublishingTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-metrics", 30);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        registry.add("management.cloudwatch.metrics.export.enabled", () -> "true");
        registry.add("management.cloudwatch.metrics.export.step", () -> "1s");
        registry.add("spring.cloud.aws.cloudwatch.endpoint", () -> TestInfrastructure.wireMock().baseUrl());
        // A step of 1 s keeps the test fast; the percentiles keep looking back a minute, so what the test
        // records is still in the window when the next publish reads it.
        registry.add("capi.metrics.percentile-window", () -> "1m");
    }

    private static final CBORMapper CBOR = new CBORMapper();

    private final WireMockServer stand = TestInfrastructure.wireMock();

    @LocalServerPort
    int port;

    @Autowired
    DispatchMetrics metrics;

    @Test
    void publishesTheContractsMetricsUnderTheirNamesAndNothingElse() throws Exception {
        stand.resetAll();
        stand.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(200)));
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        stand.stubFor(post(urlPathEqualTo("/v26.0/" + PIXEL_ID + "/events")).willReturn(aResponse().withStatus(200)
                .withBody("{\"events_received\":1,\"fbtrace_id\":\"M\"}")));
        TestInfrastructure.sqs().client().sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"event": {"event_name": "Lead", "event_time": %d, "event_id": "metrics-1",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-1"}}}
                """.formatted(Instant.now().getEpochSecond())));

        // Awaited across requests: a publish goes out in requests of 20 datums each.
        List<String> names = await().atMost(Duration.ofSeconds(30)).until(
                () -> publishedDatums().stream().map(Datum::name).distinct().toList(),
                published -> published.containsAll(List.of("DispatchSuccess", "MetaRequestLatency", "BatchSize",
                        "CircuitBreakerState")));

        assertThat(names).as("counters keep their bare contract name").doesNotContain("DispatchSuccess.count");
        for (LoggedRequest request : putMetricDataRequests()) {
            assertThat(request.getBodyAsString()).contains("Track-AI/CAPI");
            assertThat(request.getBodyAsString()).doesNotContain("jvm.").doesNotContain("process.")
                    .doesNotContain("tomcat.").doesNotContain("http.server").doesNotContain("resilience4j");
        }

        // Awaited: a publish with DispatchSuccess can come from the other test's counter (it publishes every step)
        // before this test's event has been delivered and its percentiles recorded.
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                .build();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                http.send(scrape, HttpResponse.BodyHandlers.ofString()).body())
                .contains("DispatchSuccess_total").contains("MetaRequestLatency_seconds_bucket")
                .contains("DispatchLatency_seconds_bucket").contains("jvm_memory_used_bytes")
                .contains("EventAgePercentile_seconds{Percentile=\"p95\",PixelId=\"" + PIXEL_ID + "\"}")
                .contains("MetaRequestLatencyPercentile_seconds{Percentile=\"p99\",PixelId=\"" + PIXEL_ID + "\"}"));
    }

    @Test
    void publishesPerPixelPercentilesInMillisecondsBesideTheUnchangedContractMetrics() {
        stand.resetAll();
        stand.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(200)));
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        stand.stubFor(post(urlPathEqualTo("/v26.0/" + PIXEL_ID + "/events")).willReturn(aResponse().withStatus(200)
                .withBody("{\"events_received\":1,\"fbtrace_id\":\"M\"}")));
        // Without pixel_id: the event goes to the secret's default pixel and must be counted under its id.
        TestInfrastructure.sqs().client().sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"event": {"event_name": "Lead", "event_time": %d, "event_id": "metrics-2",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-2"}}}
                """.formatted(Instant.now().getEpochSecond())));
        // Known values for the second pixel, through the same port the dispatcher uses: 1..100 ms per Meta
        // request, 10..1000 ms of event age.
        for (int ms = 1; ms <= 100; ms++) {
            metrics.recordMetaRequest(SECOND_PIXEL_ID, Duration.ofMillis(ms), 1, GatewayResult.delivered(200, "K"));
            metrics.recordDispatchLatency(SECOND_PIXEL_ID, Duration.ofMillis(ms * 10L));
        }
        // A publish that read the gauges halfway through the loop carries a timestamp before this.
        Instant recorded = Instant.now();

        // Every series is awaited, not a few: a publish goes out in requests of 20 datums, so one request can
        // carry some of a step's percentiles and the next the rest.
        List<Predicate<Datum>> series = new ArrayList<>();
        for (String name : List.of("EventAgePercentile", "MetaRequestLatencyPercentile")) {
            for (String percentile : List.of("p50", "p95", "p99")) {
                for (String pixel : List.of(PIXEL_ID, SECOND_PIXEL_ID)) {
                    series.add(percentile(name, percentile, pixel));
                }
            }
        }
        List<Datum> published = await().atMost(Duration.ofSeconds(30)).until(() -> publishedDatums().stream()
                .filter(datum -> datum.timestamp().isAfter(recorded)).toList(),
                datums -> series.stream().allMatch(which -> datums.stream().anyMatch(which)));

        for (Predicate<Datum> which : series) {
            Datum datum = latest(published, which);
            assertThat(datum.unit()).isEqualTo("Milliseconds");
            assertThat(datum.dimensions()).containsOnlyKeys("Percentile", "PixelId");
            assertThat(datum.value()).as(datum.name() + " " + datum.dimensions()).isPositive();
        }
        // Micrometer's default precision (one significant digit) places a value within about 6 %.
        assertThat(latest(published, percentile("MetaRequestLatencyPercentile", "p95", SECOND_PIXEL_ID)).value())
                .isCloseTo(95, withinPercentage(7));
        assertThat(latest(published, percentile("MetaRequestLatencyPercentile", "p50", SECOND_PIXEL_ID)).value())
                .isCloseTo(50, withinPercentage(7));
        assertThat(latest(published, percentile("EventAgePercentile", "p99", SECOND_PIXEL_ID)).value())
                .isCloseTo(990, withinPercentage(7));
        assertThat(published).as("no pixel was folded into 'other'")
                .noneMatch(datum -> "other".equals(datum.dimensions().get("PixelId")));

        // A timer's mean and max go out only for a step that had samples, which need not be the one above.
        List<String> contractNames = List.of("DispatchLatency", "DispatchLatency.max", "MetaRequestLatency",
                "MetaRequestLatency.max", "MetaRequestLatency.count");
        published = await().atMost(Duration.ofSeconds(10)).until(this::publishedDatums, datums -> contractNames
                .stream().allMatch(name -> datums.stream().anyMatch(datum -> datum.name().equals(name))));
        for (String name : contractNames) {
            assertThat(published).as("the contract's %s is unchanged: no dimensions", name)
                    .filteredOn(datum -> datum.name().equals(name)).isNotEmpty()
                    .allSatisfy(datum -> assertThat(datum.dimensions()).isEmpty());
        }
        assertThat(published).filteredOn(datum -> datum.name().equals("MetaRequestLatency"))
                .allSatisfy(datum -> assertThat(datum.unit()).isEqualTo("Milliseconds"));
        assertThat(published).as("the percentiles leave no per-pixel timer statistics behind")
                .noneMatch(datum -> datum.name().startsWith("EventAgePercentile.")
                        || datum.name().startsWith("MetaRequestLatencyPercentile."))
                .filteredOn(datum -> datum.dimensions().containsKey("PixelId"))
                .allSatisfy(datum -> assertThat(datum.name())
                        .isIn("EventAgePercentile", "MetaRequestLatencyPercentile"));
    }

    private static Predicate<Datum> percentile(String name, String percentile, String pixel) {
        return datum -> datum.name().equals(name) && percentile.equals(datum.dimensions().get("Percentile"))
                && pixel.equals(datum.dimensions().get("PixelId"));
    }

    private static Datum latest(List<Datum> datums, Predicate<Datum> which) {
        return datums.stream().filter(which).reduce((first, second) -> second).orElseThrow(
                () -> new AssertionError("no such datum in " + datums.size() + " published"));
    }

    /** Every datum in every PutMetricData so far, oldest first, decoded from the SDK's CBOR. */
    private List<Datum> publishedDatums() {
        return putMetricDataRequests().stream()
                .flatMap(request -> StreamSupport.stream(
                        CBOR.readTree(request.getBody()).path("MetricData").spliterator(), false))
                .map(Datum::of)
                .toList();
    }

    record Datum(String name, Map<String, String> dimensions, double value, String unit, Instant timestamp) {

        static Datum of(JsonNode datum) {
            Map<String, String> dimensions = StreamSupport.stream(datum.path("Dimensions").spliterator(), false)
                    .collect(Collectors.toMap(d -> d.path("Name").asString(), d -> d.path("Value").asString()));
            // Smithy's CBOR writes a timestamp as epoch seconds (tag 1), with milliseconds as the fraction.
            return new Datum(datum.path("MetricName").asString(), dimensions, datum.path("Value").asDouble(),
                    datum.path("Unit").asString(),
                    Instant.ofEpochMilli(Math.round(datum.path("Timestamp").asDouble() * 1000)));
        }
    }

    /** PutMetricData, whichever wire protocol the SDK speaks (query form, JSON or CBOR all name the operation). */
    private List<LoggedRequest> putMetricDataRequests() {
        return stand.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(anyUrl())).stream()
                .filter(r -> r.getUrl().contains("PutMetricData") || r.getBodyAsString().contains("PutMetricData")
                        || String.valueOf(r.getHeader("X-Amz-Target")).contains("PutMetricData"))
                .toList();
    }
}
