package ai.track.capidispatch.security;

import static ai.track.capidispatch.support.TestInfrastructure.ACCESS_TOKEN;
import static ai.track.capidispatch.support.TestInfrastructure.APP_SECRET;
import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static ai.track.capidispatch.support.TestInfrastructure.SECOND_ACCESS_TOKEN;
import static ai.track.capidispatch.support.TestInfrastructure.SECOND_PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The worker's whole visible surface — every log line from start-up on, every exposed endpoint, every DLQ
 * attribute — after the paths most likely to leak: a delivery, a token rejected by Meta (190, held), an
 * invalid event, and an event Meta rejects. None of it may carry a token, the app secret or raw customer data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class) // registered before the context starts: start-up logs are captured too
@DirtiesContext
class NoSecretLeaksEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-leak", 10);
    private static final String PIXEL_ONE_EVENTS = "/v26.0/" + PIXEL_ID + "/events";
    private static final String PIXEL_TWO_EVENTS = "/v26.0/" + SECOND_PIXEL_ID + "/events";
    private static final String EMAIL = "Leak.Canary@Example.COM";
    private static final String PHONE = "+1 (555) 867-5309";
    private static final List<String> PHONE_FORMS = List.of("5558675309", "555) 867-5309", "555-867-5309",
            "867-5309");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        registry.add("capi.credentials.min-forced-refresh-interval", () -> "0s");
        registry.add("capi.dispatch.hold-delay", () -> "1s");
        registry.add("capi.sqs.max-pause", () -> "2s");
    }

    private final WireMockServer wireMock = TestInfrastructure.wireMock();
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @AfterEach
    void releaseTheHeldMessage() {
        wireMock.stubFor(post(urlPathEqualTo(PIXEL_TWO_EVENTS)).atPriority(1).willReturn(ok()));
        await().atMost(Duration.ofSeconds(30)).until(() -> StandIns.messagesOn(QUEUES.queueUrl()) == 0);
    }

    @Test
    void neitherLogsNorEndpointsNorDeadLetterAttributesCarrySecretsOrRawCustomerData(CapturedOutput output)
            throws Exception {
        wireMock.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        wireMock.stubFor(post(urlPathEqualTo(PIXEL_ONE_EVENTS)).atPriority(5).willReturn(ok()));
        wireMock.stubFor(post(urlPathEqualTo(PIXEL_ONE_EVENTS)).atPriority(2)
                .withRequestBody(containing("leak-rejected"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Invalid parameter\",\"type\":\"OAuthException\","
                                + "\"code\":100,\"error_subcode\":2804050,\"is_transient\":false,"
                                + "\"fbtrace_id\":\"RejectTrace\"}}")));
        wireMock.stubFor(post(urlPathEqualTo(PIXEL_TWO_EVENTS)).atPriority(5)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody(StandIns.META_190)));

        long now = Instant.now().getEpochSecond();
        send(PIXEL_ID, "leak-delivered", "\"action_source\": \"system_generated\"", now);
        send(SECOND_PIXEL_ID, "leak-auth", "\"action_source\": \"system_generated\"", now);
        send(PIXEL_ID, "leak-invalid", "\"action_source\": \"website\"", now); // no URL, no user agent
        send(PIXEL_ID, "leak-rejected", "\"action_source\": \"system_generated\"", now);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            wireMock.verify(postRequestedFor(urlPathEqualTo(PIXEL_ONE_EVENTS))
                    .withRequestBody(containing("leak-delivered")));
            wireMock.verify(postRequestedFor(urlPathEqualTo(PIXEL_TWO_EVENTS)));
            assertThat(output.getAll()).contains("\"ConsumptionPaused\"");
        });
        List<Message> deadLetters = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            deadLetters.addAll(StandIns.takeAll(QUEUES.dlqUrl()));
            return deadLetters.size() >= 2;
        });

        // The dead letters: the body is the producer's own message, unchanged; the attributes are the worker's.
        assertThat(deadLetters).extracting(StandIns::errorClass)
                .containsExactlyInAnyOrder("INVALID_EVENT", "META_REJECTED");
        for (Message deadLetter : deadLetters) {
            deadLetter.messageAttributes().forEach((name, value) ->
                    assertClean("DLQ attribute " + name, String.valueOf(value.stringValue())));
        }

        Map<String, HttpResponse<String>> exposed = new LinkedHashMap<>();
        for (String path : List.of("/health", "/actuator/health", "/actuator/health/readiness", "/actuator/info",
                "/actuator/metrics", "/actuator/prometheus")) {
            exposed.put(path, get(path));
        }
        exposed.forEach((path, response) -> {
            assertThat(response.statusCode()).as(path).isIn(200, 503);
            assertClean(path, response.body());
        });
        assertThat(exposed.get("/actuator/prometheus").body()).as("the scrape is real").contains("DispatchSuccess");
        for (String path : List.of("/actuator/env", "/actuator/configprops", "/actuator/heapdump",
                "/actuator/threaddump", "/actuator/loggers", "/actuator/beans", "/actuator/mappings",
                "/actuator/scheduledtasks", "/actuator/caches", "/actuator/conditions", "/actuator/shutdown")) {
            assertThat(get(path).statusCode()).as(path + " is not exposed").isEqualTo(404);
        }

        String logs = output.getAll();
        assertThat(logs).as("the capture holds the worker's logs from start-up on")
                .contains("\"CredentialsRefreshed\"").contains("\"DispatchAttempt\"").contains("\"DeadLettered\"")
                .contains("\"AUTH\"");
        assertClean("the logs", logs);
    }

    private static void assertClean(String where, String text) {
        AbstractStringAssert<?> assertion = assertThat(text).as(where);
        assertion.doesNotContain(ACCESS_TOKEN).doesNotContain(SECOND_ACCESS_TOKEN).doesNotContain(APP_SECRET)
                .doesNotContain(StandIns.hmacSha256Hex(APP_SECRET, ACCESS_TOKEN))
                .doesNotContainIgnoringCase(EMAIL).doesNotContainIgnoringCase("leak.canary")
                .doesNotContain(PHONE);
        PHONE_FORMS.forEach(assertion::doesNotContain);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},\"fbtrace_id\":\"T\"}")
                .withTransformers("response-template");
    }

    private static void send(String pixelId, String eventId, String actionSource, long eventTime) {
        StandIns.sqs().sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"pixel_id": "%s", "event": {"event_name": "Purchase", "event_time": %d, "event_id": "%s", %s,
                 "user_data": {"em": ["%s"], "ph": "%s", "fn": "Canary", "external_id": "crm-leak"},
                 "custom_data": {"value": 1.5, "currency": "USD"}}}
                """.formatted(pixelId, eventTime, eventId, actionSource, EMAIL, PHONE)));
    }
}
