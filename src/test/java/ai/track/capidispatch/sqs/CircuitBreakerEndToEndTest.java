package ai.track.capidispatch.sqs;

import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A Meta outage opens the breaker, which pauses consumption: messages wait on the queue instead of cycling
 * through the worker, nothing reaches the DLQ, and delivery resumes by itself when Meta is back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class CircuitBreakerEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-breaker", 30);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final int MESSAGES = 40;
    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"(outage-\\d+)\"");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        registry.add("resilience4j.circuitbreaker.instances.meta.wait-duration-in-open-state", () -> "2s");
        registry.add("resilience4j.circuitbreaker.instances.meta.minimum-number-of-calls", () -> "4");
        registry.add("resilience4j.circuitbreaker.instances.meta.sliding-window-size", () -> "10");
        registry.add("capi.dispatch.retry-base-delay", () -> "1s");
        registry.add("capi.dispatch.retry-max-delay", () -> "2s");
        // Low, so a worker that kept receiving during the outage would dead-letter as RETRIES_EXHAUSTED.
        registry.add("capi.dispatch.max-attempts", () -> "6");
        registry.add("capi.sqs.max-pause", () -> "4s");
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @Autowired
    MeterRegistry meters;

    @Test
    void pausesDuringAnOutageAndResumesByItselfWithoutDeadLettering() {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(503)
                .withBody("<html>Service Unavailable</html>")));
        long now = Instant.now().getEpochSecond();
        for (int i = 0; i < MESSAGES; i++) {
            String body = """
                    {"event": {"event_name": "Lead", "event_time": %d, "event_id": "outage-%d",
                     "action_source": "system_generated", "user_data": {"external_id": "crm-%d"}}}
                    """.formatted(now, i, i);
            sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody(body));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> breakerState() == 1.0);
        int requestsAtOpen = requests();
        // The outage goes on; the worker should mostly wait.
        await().pollDelay(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(13)).until(() -> true);
        int requestsDuringOutage = requests() - requestsAtOpen;
        assertThat(requestsDuringOutage).as("only half-open probes reach Meta while it is down")
                .isLessThanOrEqualTo(12);
        assertThat(sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).waitTimeSeconds(0)).messages())
                .as("an outage at Meta is no reason to dead-letter").isEmpty();

        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(200)
                .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},\"fbtrace_id\":\"T\"}")
                .withTransformers("response-template")));

        await().atMost(Duration.ofSeconds(60)).until(() -> deliveredIds().size() == MESSAGES);
        assertThat(breakerState()).isEqualTo(0.0);
        assertThat(sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).waitTimeSeconds(1)).messages()).isEmpty();
    }

    private double breakerState() {
        return meters.get("CircuitBreakerState").gauge().value();
    }

    private int requests() {
        return meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))).size();
    }

    private Set<String> deliveredIds() {
        Set<String> ids = new HashSet<>();
        meta.getServeEvents().getRequests().stream()
                .filter(event -> event.getResponse().getStatus() == 200)
                .filter(event -> event.getRequest().getUrl().equals(EVENTS_PATH))
                .forEach(event -> {
                    Matcher matcher = EVENT_ID.matcher(event.getRequest().getBodyAsString());
                    while (matcher.find()) {
                        ids.add(matcher.group(1));
                    }
                });
        return ids;
    }
}
