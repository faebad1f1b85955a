package ai.track.capidispatch.ops;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * One message received from a queue, with the {@code capi-*} attributes the worker's DLQ writer sets
 * (contract §4).
 *
 * @param sentAt SQS's {@code SentTimestamp}: for a DLQ message, when it was dead-lettered; {@code null} if
 *     SQS did not say
 */
record DlqMessage(String messageId, String receiptHandle, String body, Instant sentAt,
        Map<String, MessageAttributeValue> attributes) {

    static final String ERROR_CLASS = "capi-error-class";
    static final String ERROR_MESSAGE = "capi-error-message";
    static final String ERROR_CODE = "capi-error-code";
    static final String ERROR_SUBCODE = "capi-error-subcode";
    /** The worker's attributes all start with this; they describe the failure and do not go back to the queue. */
    static final String WORKER_ATTRIBUTE_PREFIX = "capi-";
    /**
     * The group of messages without {@code capi-error-class}: SQS's redrive policy moved them after
     * {@code maxReceiveCount} receives, the worker never wrote them. Not an {@code ErrorClass} constant.
     */
    static final String UNCLASSIFIED = "UNCLASSIFIED";

    DlqMessage {
        attributes = Map.copyOf(attributes);
    }

    String errorClass() {
        String value = attribute(ERROR_CLASS);
        return value == null ? UNCLASSIFIED : value;
    }

    /** {@code code} or {@code code/subcode} as Meta answered, or {@code null} when Meta did not answer. */
    String errorCode() {
        String code = attribute(ERROR_CODE);
        String subcode = attribute(ERROR_SUBCODE);
        if (code == null) {
            return subcode == null ? null : "-/" + subcode;
        }
        return subcode == null ? code : code + "/" + subcode;
    }

    String errorMessage() {
        return attribute(ERROR_MESSAGE);
    }

    String attribute(String name) {
        MessageAttributeValue value = attributes.get(name);
        return value == null || value.stringValue() == null || value.stringValue().isBlank() ? null
                : value.stringValue();
    }

    /** The attributes a redriven copy keeps: the producer's, none of the worker's {@code capi-*} ones. */
    Map<String, MessageAttributeValue> producerAttributes() {
        Map<String, MessageAttributeValue> kept = new LinkedHashMap<>();
        attributes.forEach((name, value) -> {
            if (!name.startsWith(WORKER_ATTRIBUTE_PREFIX)) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    /** The body is customer data and the receipt handle a credential for the message: neither is printed. */
    @Override
    public String toString() {
        return "DlqMessage[messageId=" + messageId + ", errorClass=" + errorClass() + ", sentAt=" + sentAt + "]";
    }
}
