package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.MessagingHeaders;
import io.awspring.cloud.sqs.listener.QueueAttributes;
import io.awspring.cloud.sqs.listener.QueueMessageVisibility;
import io.awspring.cloud.sqs.listener.SqsHeaders;
import io.awspring.cloud.sqs.support.converter.MessageConversionContext;
import io.awspring.cloud.sqs.support.converter.MessagingMessageHeaders;
import io.awspring.cloud.sqs.support.converter.SqsMessageConversionContext;
import io.awspring.cloud.sqs.support.converter.SqsMessagingMessageConverter;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.messaging.support.MessageBuilder;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Spring Cloud AWS's converter, with its common case done in one pass: a message without message attributes
 * whose body the listener takes as a {@code String} (every message producers send here). Spring Cloud AWS 4.1
 * builds the same headers by merging partial header maps, each merge copying the map twice and drawing a new
 * random id, seven maps per message; on the SQS client's I/O thread that was a third of its CPU and a sixth of
 * the worker's allocation at full speed. Here the headers are put into one map: the same names and values, the
 * message's own id as the Spring message id, as Spring Cloud AWS sets it.
 *
 * <p>Anything else (message attributes, which a redriven dead letter carries; a listener or payload type mapper
 * asking for another type; an id that is not a UUID; a context other than SQS's) goes through Spring Cloud AWS's
 * own path unchanged.
 * {@code StringMessageConverterTest} holds the fast path to what that path produces, header by header.
 */
final class StringMessageConverter extends SqsMessagingMessageConverter {

    /** {@code null} while the default, which reads a {@code JavaType} message attribute: none in the fast path. */
    private @Nullable Function<org.springframework.messaging.Message<?>, Class<?>> payloadTypeMapper;

    @Override
    public org.springframework.messaging.Message<?> toMessagingMessage(Message message,
            @Nullable MessageConversionContext context) {
        org.springframework.messaging.Message<String> converted = convertInOnePass(message, context);
        return converted != null ? converted : super.toMessagingMessage(message, context);
    }

    /**
     * Spring Cloud AWS sets a mapper that answers {@code null} (use the listener's type) when it registers a
     * listener; the fast path asks whichever mapper is set, as Spring Cloud AWS would.
     */
    @Override
    public void setPayloadTypeMapper(Function<org.springframework.messaging.Message<?>, Class<?>> payloadTypeMapper) {
        super.setPayloadTypeMapper(payloadTypeMapper);
        this.payloadTypeMapper = payloadTypeMapper;
    }

    /** The message converted in one pass, or {@code null} when it is not the common case described above. */
    org.springframework.messaging.@Nullable Message<String> convertInOnePass(Message message,
            @Nullable MessageConversionContext context) {
        if (!(context instanceof SqsMessageConversionContext sqs) || !message.messageAttributes().isEmpty()
                || message.body() == null || message.receiptHandle() == null || !takesString(sqs.getPayloadClass())) {
            return null;
        }
        UUID id = uuidOrNull(message.messageId());
        if (id == null) {
            return null;
        }
        Map<String, Object> headers = new HashMap<>(32);
        message.attributesAsStrings().forEach((name, value) ->
                headers.put(SqsHeaders.MessageSystemAttributes.SQS_MSA_HEADER_PREFIX + name, value));
        headers.put(SqsHeaders.SQS_RECEIPT_HANDLE_HEADER, message.receiptHandle());
        headers.put(SqsHeaders.SQS_SOURCE_DATA_HEADER, message);
        headers.put(SqsHeaders.SQS_RECEIVED_AT_HEADER, Instant.now());
        headers.put(SqsHeaders.SQS_RAW_MESSAGE_ID_HEADER, message.messageId());
        QueueAttributes queue = sqs.getQueueAttributes();
        if (queue != null) {
            headers.put(SqsHeaders.SQS_QUEUE_NAME_HEADER, queue.getQueueName());
            headers.put(SqsHeaders.SQS_QUEUE_URL_HEADER, queue.getQueueUrl());
            headers.put(SqsHeaders.SQS_QUEUE_ATTRIBUTES_HEADER, queue);
            if (sqs.getSqsAsyncClient() != null) {
                headers.put(SqsHeaders.SQS_VISIBILITY_TIMEOUT_HEADER, new QueueMessageVisibility(
                        sqs.getSqsAsyncClient(), queue.getQueueUrl(), message.receiptHandle()));
            }
        }
        if (sqs.getAcknowledgementCallback() != null) {
            headers.put(MessagingHeaders.ACKNOWLEDGMENT_CALLBACK_HEADER, sqs.getAcknowledgementCallback());
        }
        org.springframework.messaging.Message<String> converted =
                MessageBuilder.createMessage(message.body(), new MessagingMessageHeaders(headers, id));
        Class<?> mapped = payloadTypeMapper == null ? null : payloadTypeMapper.apply(converted);
        return mapped == null || mapped == String.class ? converted : null;
    }

    private static boolean takesString(@Nullable Class<?> payloadClass) {
        return payloadClass == null || payloadClass == String.class;
    }

    private static @Nullable UUID uuidOrNull(@Nullable String messageId) {
        if (messageId == null) {
            return null;
        }
        try {
            return UUID.fromString(messageId);
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
    }
}
