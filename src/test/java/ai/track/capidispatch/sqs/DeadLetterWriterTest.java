package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.dispatch.DispatchOutcome;
import ai.track.capidispatch.dispatch.ErrorClass;
import ai.track.capidispatch.dispatch.IncomingMessage;
import ai.track.capidispatch.resilience.QueueContents;
import ai.track.capidispatch.support.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.messaging.support.MessageBuilder;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** Against the embedded SQS server, through the real async client. */
class DeadLetterWriterTest {

    private final String dlqUrl = TestInfrastructure.sqs().createQueue("dlq-writer-" + System.nanoTime(), Map.of());
    private final SqsAsyncClient client = TestInfrastructure.sqs().newAsyncClient();
    private final DeadLetterWriter writer =
            new DeadLetterWriter(client, TestSqsProperties.of(dlqUrl + "-main", dlqUrl, Duration.ofMillis(10)));

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aBodyNearSqssLimitAmongOthersStillReachesTheDlqWithAllOfThem() throws Exception {
        // Together they are over the 1 MiB SQS allows per send; in one batch SQS refused all six, every time.
        List<ReceivedMessage> deadLetters = new ArrayList<>();
        deadLetters.add(deadLetter("big", "{\"x\": \"" + "A".repeat(1024 * 1024 - 16) + "\"}"));
        for (int i = 0; i < 5; i++) {
            deadLetters.add(deadLetter("small-" + i, "{\"event\": \"DROP TABLE\"}"));
        }

        List<ReceivedMessage> written = writer.write(deadLetters).get(10, TimeUnit.SECONDS);

        assertThat(written).hasSize(6);
        assertThat(QueueContents.receiveAll(TestInfrastructure.sqs().client(), dlqUrl)).hasSize(6);
    }

    @Test
    void countsTheAttributesTheCopyCarriesTowardTheLimit() {
        ReceivedMessage message = deadLetter("m", "{}");

        assertThat(DeadLetterWriter.Copy.of(message).bytes()).as("body plus capi-* attribute names, types and values")
                .isGreaterThan("{}".length() + "capi-error-class".length() + "INVALID_MESSAGE".length());
    }

    @Test
    void aCopyKeepsEveryAttributeWhenTheyFit() {
        DeadLetterWriter.Copy copy = DeadLetterWriter.Copy.of(deadLetter("m", "{\"event\": {}}"));

        assertThat(copy.shortened()).isFalse();
        assertThat(copy.attributes()).containsKeys("capi-error-class", "capi-error-message", "capi-attempts",
                "capi-source-message-id");
    }

    @Test
    void aBodyNearSqssLimitKeepsTheErrorClassAndAsMuchOfTheReasonAsFits() {
        String body = "{\"x\": \"" + "A".repeat(1024 * 1024 - 200) + "\"}";
        DeadLetterWriter.Copy copy = DeadLetterWriter.Copy.of(deadLetter("near", body, "a reason " + "r".repeat(500)));

        assertThat(copy.bytes()).as("what SQS counts: within its 1 MiB").isLessThanOrEqualTo(1024 * 1024);
        assertThat(copy.shortened()).isTrue();
        assertThat(copy.attributes()).containsKey("capi-error-class");
        assertThat(copy.attributes().get("capi-error-class").stringValue()).isEqualTo("INVALID_MESSAGE");
        assertThat(copy.message().incoming().body()).as("the body is never changed").isEqualTo(body);
    }

    @Test
    void aBodyThatFillsTheWholeMebibyteGoesWithoutAttributesRatherThanNotAtAll() throws Exception {
        String body = "\"" + "A".repeat(1024 * 1024 - 2) + "\"";
        DeadLetterWriter.Copy copy = DeadLetterWriter.Copy.of(deadLetter("full", body));

        assertThat(copy.bytes()).isLessThanOrEqualTo(1024 * 1024);
        assertThat(copy.attributes()).isEmpty();
        assertThat(writer.write(List.of(copy.message())).get(10, TimeUnit.SECONDS)).hasSize(1);
        assertThat(QueueContents.receiveAll(TestInfrastructure.sqs().client(), dlqUrl)).singleElement()
                .satisfies(message -> assertThat(message.body()).isEqualTo(body));
    }

    private static ReceivedMessage deadLetter(String id, String body) {
        return deadLetter(id, body, "body is not valid JSON");
    }

    private static ReceivedMessage deadLetter(String id, String body, String reason) {
        return new ReceivedMessage(MessageBuilder.withPayload(body).build(),
                new IncomingMessage(id, body, 1, Instant.now()),
                new DispatchOutcome.DeadLetter(ErrorClass.INVALID_MESSAGE, reason, null));
    }
}
