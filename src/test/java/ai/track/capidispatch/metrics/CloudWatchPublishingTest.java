package ai.track.capidispatch.metrics;

import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.annotation.DirtiesContext;

/**
 * With publishing on and the real CloudWatch client pointed at a stand-in: what leaves the process is the
 * contract's namespace and metric names, and no JVM or HTTP meters; Prometheus still has everything.
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
    }

    private final WireMockServer stand = TestInfrastructure.wireMock();

    @LocalServerPort
    int port;

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

        LoggedRequest published = await().atMost(Duration.ofSeconds(30)).until(
                () -> putMetricDataWith("DispatchSuccess"), Optional::isPresent).orElseThrow();

        String body = published.getBodyAsString();
        assertThat(body).contains("Track-AI/CAPI").contains("DispatchSuccess").contains("MetaRequestLatency")
                .contains("BatchSize").contains("CircuitBreakerState");
        assertThat(body).as("counters keep their bare contract name").doesNotContain("DispatchSuccess.count");
        for (LoggedRequest request : putMetricDataRequests()) {
            assertThat(request.getBodyAsString()).doesNotContain("jvm.").doesNotContain("process.")
                    .doesNotContain("tomcat.").doesNotContain("http.server").doesNotContain("resilience4j");
        }

        String prometheus = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(prometheus).contains("DispatchSuccess_total").contains("MetaRequestLatency_seconds_bucket")
                .contains("DispatchLatency_seconds_bucket").contains("jvm_memory_used_bytes");
    }

    private Optional<LoggedRequest> putMetricDataWith(String text) {
        return putMetricDataRequests().stream().filter(r -> r.getBodyAsString().contains(text)).findFirst();
    }

    /** PutMetricData, whichever wire protocol the SDK speaks (query form, JSON or CBOR all name the operation). */
    private List<LoggedRequest> putMetricDataRequests() {
        return stand.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(anyUrl())).stream()
                .filter(r -> r.getUrl().contains("PutMetricData") || r.getBodyAsString().contains("PutMetricData")
                        || String.valueOf(r.getHeader("X-Amz-Target")).contains("PutMetricData"))
                .toList();
    }
}
