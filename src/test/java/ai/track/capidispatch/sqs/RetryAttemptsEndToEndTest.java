package ai.track.capidispatch.sqs;

import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.awspring.cloud.sqs.listener.MessageListenerContainer;
import io.awspring.cloud.sqs.listener.MessageListenerContainerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The attempt limit counts attempts at Meta that failed for a retryable reason, not receives: each retry goes back as
 * a delayed copy carrying {@code capi-attempts}, and receives that were not attempts (a pause, a shutdown, a killed
 * task) leave that count alone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class RetryAttemptsEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-attempts", 30);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final int MAX_ATTEMPTS = 3;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        registry.add("capi.dispatch.max-attempts", () -> String.valueOf(MAX_ATTEMPTS));
        registry.add("capi.dispatch.retry-base-delay", () -> "1s");
        registry.add("capi.dispatch.retry-max-delay", () -> "2s");
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @Autowired
    MessageListenerContainerRegistry containers;

    @Test
    void retriesAsCopiesThatCountAttemptsAndGivesUpAfterTheLimit() {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(503)));
        // A producer attribute travels with every copy; producers' receives of a retried message never count.
        long now = Instant.now().getEpochSecond();
        String sentId = sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody(lead("attempts-1", now))
                .messageAttributes(Map.of("trace", text("producer-7")))).messageId();

        Message deadLetter = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).messageAttributeNames("All")
                        .waitTimeSeconds(1)).messages(), messages -> !messages.isEmpty()).get(0);

        assertThat(meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))
                .withRequestBody(containing("attempts-1")))).as("requests to Meta for the event").hasSize(MAX_ATTEMPTS);
        assertThat(deadLetter.messageAttributes().get("capi-error-class").stringValue()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(deadLetter.messageAttributes().get("capi-attempts").stringValue())
                .isEqualTo(String.valueOf(MAX_ATTEMPTS));
        assertThat(deadLetter.messageAttributes().get("capi-source-message-id").stringValue())
                .as("the last copy's id, not the first message's").isNotEqualTo(sentId);
        assertThat(deadLetter.body()).as("the body, unchanged through every copy").isEqualTo(lead("attempts-1", now));
        await().atMost(Duration.ofSeconds(10)).until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);
    }

    @Test
    void receivesThatWereNotAttemptsDoNotUseUpTheLimit() {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        // Fails once, then accepts: the failure is the message's second attempt, not its last.
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"events_received\":1,\"fbtrace_id\":\"T\"}")));
        // A copy after one failed attempt that was then received and returned unprocessed again and again, as
        // pauses and shutdowns do: its SQS receive count is past the limit, its attempt count is not.
        MessageListenerContainer<?> listener = containers.getContainerById(ConversionEventListener.LISTENER_ID);
        listener.stop();
        long now = Instant.now().getEpochSecond();
        try {
            sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody(lead("attempts-2", now))
                    .messageAttributes(Map.of(RetryCopies.ATTEMPTS, number(1))));
            for (int receive = 0; receive < 2 * MAX_ATTEMPTS; receive++) {
                assertThat(sqs.receiveMessage(b -> b.queueUrl(QUEUES.queueUrl()).visibilityTimeout(0)
                        .waitTimeSeconds(1)).messages()).hasSize(1);
            }
        } finally {
            listener.start();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);
        assertThat(meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))
                .withRequestBody(containing("attempts-2")))).as("failed once, then delivered").hasSize(2);
        assertThat(sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).waitTimeSeconds(1)).messages())
                .as("receive count " + (2 * MAX_ATTEMPTS + 2) + ", attempts 3: not exhausted").isEmpty();
    }

    private static String lead(String eventId, long now) {
        return """
                {"event": {"event_name": "Lead", "event_time": %d, "event_id": "%s",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-%s"}}}
                """.formatted(now, eventId, eventId);
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static MessageAttributeValue number(long value) {
        return MessageAttributeValue.builder().dataType("Number").stringValue(Long.toString(value)).build();
    }
}
