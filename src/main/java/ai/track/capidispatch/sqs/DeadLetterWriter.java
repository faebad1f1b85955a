package ai.track.capidispatch.sqs;

import ai.track.capidispatch.dispatch.DispatchOutcome;
import ai.track.capidispatch.dispatch.IncomingMessage;
import ai.track.capidispatch.dispatch.MetaError;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Copies a message to {@code SQS_DLQ_URL}: the original body unchanged, the reason as {@code capi-*} message
 * attributes (contract §4). Returns only once SQS confirmed the write; the caller deletes the original only
 * after that, so a failed write leaves the message where it was.
 */
@Component
class DeadLetterWriter {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);
    /** SQS allows 256 KiB of attributes; a reason longer than this is not read by anyone anyway. */
    private static final int MAX_REASON_LENGTH = 1024;

    private final SqsAsyncClient sqs;
    private final SqsWorkerProperties properties;

    DeadLetterWriter(SqsAsyncClient sqs, SqsWorkerProperties properties) {
        this.sqs = sqs;
        this.properties = properties;
    }

    /** @throws RuntimeException when the DLQ write failed or timed out; the original must then stay */
    void write(IncomingMessage message, DispatchOutcome.DeadLetter outcome) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        put(attributes, "capi-error-class", outcome.errorClass().name());
        put(attributes, "capi-error-message", truncate(outcome.reason()));
        MetaError error = outcome.metaError();
        if (error != null) {
            putNumber(attributes, "capi-error-code", error.code());
            putNumber(attributes, "capi-error-subcode", error.subcode());
            put(attributes, "capi-fbtrace-id", error.fbtraceId());
        }
        putNumber(attributes, "capi-attempts", message.receiveCount());
        put(attributes, "capi-source-message-id", message.messageId());
        try {
            sqs.sendMessage(SendMessageRequest.builder()
                    .queueUrl(properties.dlqUrl())
                    .messageBody(message.body())
                    .messageAttributes(attributes)
                    .build())
                    .get(properties.deadLetterTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to the DLQ", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not write to the DLQ: " + e.getClass().getSimpleName(), e);
        }
        log.atWarn().addKeyValue("record", "DeadLettered")
                .addKeyValue("message_id", message.messageId())
                .addKeyValue("error_class", outcome.errorClass().name())
                .addKeyValue("attempts", message.receiveCount())
                .log("Dead-lettered: {}", truncate(outcome.reason()));
    }

    private static void put(Map<String, MessageAttributeValue> attributes, String name, String value) {
        if (value != null && !value.isEmpty()) {
            attributes.put(name, MessageAttributeValue.builder().dataType("String").stringValue(value).build());
        }
    }

    private static void putNumber(Map<String, MessageAttributeValue> attributes, String name, Integer value) {
        if (value != null) {
            attributes.put(name, MessageAttributeValue.builder().dataType("Number").stringValue(value.toString())
                    .build());
        }
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= MAX_REASON_LENGTH ? reason
                : reason.substring(0, MAX_REASON_LENGTH) + "…";
    }
}
