package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.dispatch.DispatchOutcome;
import ai.track.capidispatch.dispatch.ErrorClass;
import ai.track.capidispatch.dispatch.IncomingMessage;
import ai.track.capidispatch.resilience.QueueContents;
import ai.track.capidispatch.support.TestInfrastructure;
import io.awspring.cloud.sqs.listener.SqsHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.messaging.support.MessageBuilder;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Against the embedded SQS server, through the real async client. */
class RetryCopiesTest {

    private final String queueUrl = TestInfrastructure.sqs().createQueue("retry-copies-" + System.nanoTime(), Map.of());
    private final SqsAsyncClient client = TestInfrastructure.sqs().newAsyncClient();
    private final RetryCopies copies =
            new RetryCopies(client, TestSqsProperties.of(queueUrl, queueUrl + "-dlq", Duration.ofMillis(10)));

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aCopyCarriesTheBodyTheProducersAttributesTheAttemptsAndWhenTheEventWasFirstSent() throws Exception {
        Instant firstSent = Instant.parse("2026-12-06T10:00:00Z");
        VisibilityChanger.Delay retry = retry("{\"event\": {}}", 2, firstSent, Duration.ofSeconds(1),
                Map.of("trace", text("producer-7"), RetryCopies.ATTEMPTS, number(1)));

        List<VisibilityChanger.Delay> sent = copies.send(List.of(RetryCopies.copyOf(retry))).get(10, TimeUnit.SECONDS);

        assertThat(sent).containsExactly(retry);
        assertThat(QueueContents.visibleOn(TestInfrastructure.sqs().client(), queueUrl))
                .as("not visible before its delay").isZero();
        Thread.sleep(1_500);
        Message copy = TestInfrastructure.sqs().client().receiveMessage(b -> b.queueUrl(queueUrl)
                .messageAttributeNames("All").waitTimeSeconds(2)).messages().get(0);
        assertThat(copy.body()).isEqualTo("{\"event\": {}}");
        assertThat(copy.messageAttributes().get("trace").stringValue()).isEqualTo("producer-7");
        assertThat(copy.messageAttributes().get(RetryCopies.ATTEMPTS).stringValue())
                .as("the attempts that failed: this one included").isEqualTo("2");
        assertThat(copy.messageAttributes().get(RetryCopies.FIRST_SENT_AT).stringValue())
                .isEqualTo(String.valueOf(firstSent.toEpochMilli()));
    }

    @Test
    void aDelayBeyondSqssFifteenMinutesOrABodyWithoutRoomStaysTheOriginal() {
        assertThat(RetryCopies.copyOf(retry("{}", 1, null, Duration.ofMinutes(16), Map.of()))).isNull();
        String full = "\"" + "A".repeat(1024 * 1024 - 2) + "\"";
        assertThat(RetryCopies.copyOf(retry(full, 1, null, Duration.ofSeconds(5), Map.of()))).isNull();
        assertThat(RetryCopies.copyOf(retry("{}", 1, null, Duration.ofMinutes(15), Map.of()))).isNotNull();
    }

    private static VisibilityChanger.Delay retry(String body, int attempt, Instant sentAt, Duration delay,
            Map<String, MessageAttributeValue> attributes) {
        Message source = Message.builder().messageId("m-1").body(body).receiptHandle("rh-1")
                .messageAttributes(attributes).build();
        ReceivedMessage message = new ReceivedMessage(
                MessageBuilder.withPayload(body).setHeader(SqsHeaders.SQS_SOURCE_DATA_HEADER, source).build(),
                new IncomingMessage("m-1", body, attempt, sentAt),
                new DispatchOutcome.RetryLater(ErrorClass.TRANSIENT, "HTTP 503", null, delay));
        return new VisibilityChanger.Delay(message, delay);
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static MessageAttributeValue number(long value) {
        return MessageAttributeValue.builder().dataType("Number").stringValue(Long.toString(value)).build();
    }
}
