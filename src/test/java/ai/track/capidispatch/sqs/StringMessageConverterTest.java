package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awspring.cloud.sqs.listener.QueueAttributes;
import io.awspring.cloud.sqs.listener.SqsHeaders;
import io.awspring.cloud.sqs.listener.acknowledgement.AcknowledgementCallback;
import io.awspring.cloud.sqs.support.converter.SqsMessageConversionContext;
import io.awspring.cloud.sqs.support.converter.SqsMessagingMessageConverter;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.MessagingException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The one-pass conversion must give the listener exactly what Spring Cloud AWS's own conversion gives it. */
class StringMessageConverterTest {

    private static final String QUEUE_URL = "http://localhost:9324/000000000000/events";
    /** Differ between two conversions of the same message by nature: a clock reading and a per-call object. */
    private static final Set<String> PER_CONVERSION = Set.of(MessageHeaders.TIMESTAMP,
            SqsHeaders.SQS_RECEIVED_AT_HEADER, SqsHeaders.SQS_VISIBILITY_TIMEOUT_HEADER);

    /** Never called: the visibility header only holds the client. */
    private final SqsAsyncClient sqs = new SqsAsyncClient() {
        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
        }
    };
    private final SqsMessageConversionContext context = context();
    private final StringMessageConverter converter = new StringMessageConverter();
    private final SqsMessagingMessageConverter springCloudAws = new SqsMessagingMessageConverter();

    @Test
    void givesAPlainMessageTheHeadersSpringCloudAwsWouldInOnePass() {
        software.amazon.awssdk.services.sqs.model.Message message = message().build();

        assertThat(converter.convertInOnePass(message, context)).as("takes the one-pass path").isNotNull();
        assertSameConversion(message);
    }

    @Test
    void treatsAMessageWithoutSystemAttributesTheSameWay() {
        software.amazon.awssdk.services.sqs.model.Message message = message().attributesWithStrings(Map.of())
                .build();

        assertThat(converter.convertInOnePass(message, context)).isNotNull();
        assertSameConversion(message);
    }

    @Test
    void leavesMessageAttributesToSpringCloudAws() {
        // A redriven dead letter carries the worker's capi-* attributes; they become typed headers there.
        software.amazon.awssdk.services.sqs.model.Message message = message().messageAttributes(Map.of(
                "capi-error-class", MessageAttributeValue.builder().dataType("String").stringValue("INVALID").build(),
                "capi-attempts", MessageAttributeValue.builder().dataType("Number").stringValue("3").build()))
                .build();

        assertThat(converter.convertInOnePass(message, context)).isNull();
        Message<?> converted = assertSameConversion(message);
        assertThat(converted.getHeaders()).containsEntry("capi-error-class", "INVALID");
    }

    @Test
    void asksTheTypeMapperSpringCloudAwsSetsForAListenerWithAKnownType() {
        // What Spring Cloud AWS does on registering a listener whose payload type it inferred.
        converter.setPayloadTypeMapper(message -> null);
        springCloudAws.setPayloadTypeMapper(message -> null);

        assertThat(converter.convertInOnePass(message().build(), context)).isNotNull();
        assertSameConversion(message().build());
    }

    @Test
    void leavesOtherPayloadTypesToSpringCloudAws() {
        assertThat(converter.convertInOnePass(message().build(), contextFor(Map.class))).isNull();

        converter.setPayloadTypeMapper(message -> Map.class);
        assertThat(converter.convertInOnePass(message().build(), context)).isNull();
    }

    @Test
    void refusesANonUuidMessageIdAsSpringCloudAwsDoes() {
        software.amazon.awssdk.services.sqs.model.Message message = message().messageId("not-a-uuid").build();

        assertThatThrownBy(() -> springCloudAws.toMessagingMessage(message, context))
                .isInstanceOf(MessagingException.class);
        assertThatThrownBy(() -> converter.toMessagingMessage(message, context))
                .isInstanceOf(MessagingException.class).hasMessageContaining("not-a-uuid");
    }

    private Message<?> assertSameConversion(software.amazon.awssdk.services.sqs.model.Message message) {
        Message<?> expected = springCloudAws.toMessagingMessage(message, context);
        Message<?> actual = converter.toMessagingMessage(message, context);

        assertThat(actual.getPayload()).isEqualTo(expected.getPayload());
        assertThat(actual.getHeaders().keySet()).isEqualTo(expected.getHeaders().keySet());
        expected.getHeaders().forEach((name, value) -> {
            if (!PER_CONVERSION.contains(name)) {
                assertThat(actual.getHeaders().get(name)).as(name).isEqualTo(value);
            }
        });
        assertThat(actual.getHeaders().get(SqsHeaders.SQS_VISIBILITY_TIMEOUT_HEADER))
                .hasSameClassAs(expected.getHeaders().get(SqsHeaders.SQS_VISIBILITY_TIMEOUT_HEADER));
        assertThat(actual.getHeaders().getId()).isEqualTo(expected.getHeaders().getId())
                .hasToString(message.messageId());
        return actual;
    }

    private static software.amazon.awssdk.services.sqs.model.Message.Builder message() {
        return software.amazon.awssdk.services.sqs.model.Message.builder()
                .messageId("7b3f3a4e-0a54-4c8e-9f5b-2a9c1d6e8f01")
                .receiptHandle("receipt-1")
                .body("{\"pixel_id\":\"123\"}")
                .attributes(Map.of(MessageSystemAttributeName.SENT_TIMESTAMP, "1764380000000",
                        MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2"));
    }

    private SqsMessageConversionContext context() {
        return contextFor(String.class);
    }

    private SqsMessageConversionContext contextFor(Class<?> payloadClass) {
        SqsMessageConversionContext context = new SqsMessageConversionContext();
        context.setQueueAttributes(new QueueAttributes("events", QUEUE_URL,
                Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "30")));
        context.setSqsAsyncClient(sqs);
        context.setAcknowledgementCallback(new AcknowledgementCallback<Object>() {
        });
        context.setPayloadClass(payloadClass);
        return context;
    }
}
