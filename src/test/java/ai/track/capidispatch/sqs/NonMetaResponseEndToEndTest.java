package ai.track.capidispatch.sqs;

import static ai.track.capidispatch.support.TestInfrastructure.ACCESS_TOKEN;
import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.support.MetaFixtures;
import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * An HTML 404 where the Graph API should be (a wrong {@code META_GRAPH_URL}, a proxy, a gateway), or a 200 from a
 * captive portal's login page, is not Meta judging or accepting the events: the worker holds them (no DLQ, no delete), they come back to probe, readiness is
 * {@code OUT_OF_SERVICE} while {@code /health} stays up, and once the URL answers as Meta does they are delivered.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class NonMetaResponseEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-non-meta", 30);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final String NOT_FOUND_PAGE = MetaFixtures.read("nginx-404.html");
    private static final String CAPTIVE_PORTAL_PAGE =
            "<html><head><title>Guest Wi-Fi</title></head><body><form>Please sign in</form></body></html>";

    static Stream<Arguments> answersThatAreNotMetas() {
        return Stream.of(
                Arguments.of("html-404", 404, NOT_FOUND_PAGE,
                        "HTTP 404 without a Meta error body (HTML page) from ", List.of("<title>", "nginx/1.25.3</center>")),
                Arguments.of("captive-200", 200, CAPTIVE_PORTAL_PAGE,
                        "HTTP 200 without a Meta error body (HTML page) from ", List.of("Guest Wi-Fi", "sign in")));
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        registry.add("capi.dispatch.hold-delay", () -> "2s");
        registry.add("capi.sqs.max-pause", () -> "2s");
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @ParameterizedTest(name = "{0}")
    @MethodSource("answersThatAreNotMetas")
    void holdsEventsAnsweredByWhatIsNotMetaAndDeliversThemOnceMetaAnswers(String name, int status, String page,
            String reasonStart, List<String> notInLogs, CapturedOutput output) throws Exception {
        List<String> eventIds = List.of(name + "-1", name + "-2", name + "-3");
        double deliveredBefore = scraped("DispatchSuccess_total");
        double heldBefore = scraped("DispatchHeld_total{ErrorClass=\"NON_META_RESPONSE\"}");
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).atPriority(5)
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/html")
                        .withBody(page)));
        long now = Instant.now().getEpochSecond();
        for (String eventId : eventIds) {
            sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                    {"event": {"event_name": "Lead", "event_time": %d, "event_id": "%s",
                     "action_source": "system_generated", "user_data": {"external_id": "crm-%s"}}}
                    """.formatted(now, eventId, eventId)));
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> readiness = get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(503);
            assertThat(readiness.body()).contains("OUT_OF_SERVICE");
        });
        assertThat(get("/health").statusCode()).as("restarting the task would not fix the URL").isEqualTo(200);

        // Held, not dead-lettered: each event comes back and is sent again by a later probe.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String eventId : eventIds) {
                assertThat(meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))
                        .withRequestBody(containing("\"" + eventId + "\""))))
                        .as("requests carrying %s", eventId).hasSizeGreaterThanOrEqualTo(2);
            }
        });
        assertThat(sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).waitTimeSeconds(0)).messages()).isEmpty();
        assertThat(TestInfrastructure.messagesOnQueue(QUEUES.queueUrl())).isEqualTo(eventIds.size());
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(503);
        assertThat(scraped("DispatchHeld_total{ErrorClass=\"NON_META_RESPONSE\"}") - heldBefore)
                .isGreaterThanOrEqualTo(eventIds.size());

        // What the operator reads: who answered and what to check; not the page, not the token.
        String logs = output.getAll();
        assertThat(logs).contains(reasonStart + URI.create(meta.baseUrl()).getHost() + ":" + meta.port()
                + " — not Meta's API answering", "check META_GRAPH_URL", "\"NON_META_RESPONSE\"",
                "\"ConsumptionPaused\"");
        assertThat(logs).doesNotContain(ACCESS_TOKEN);
        assertThat(logs).doesNotContain(notInLogs);

        // The operator fixes META_GRAPH_URL: the same URL now answers as Meta does.
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},"
                                + "\"fbtrace_id\":\"Fixed\"}")
                        .withTransformers("response-template")));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        assertThat(sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).waitTimeSeconds(1)).messages()).isEmpty();
        assertThat(scraped("DispatchSuccess_total") - deliveredBefore).isEqualTo(eventIds.size());
    }

    /**
     * A counter as {@code /actuator/prometheus} reports it. The composite registry's own {@code count()} answers
     * with its first child, the CloudWatch registry, whose step counters read 0 until a step ends.
     */
    private double scraped(String series) throws IOException, InterruptedException {
        return get("/actuator/prometheus").body().lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
                .findFirst().orElse(0);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
