package ai.track.capidispatch.sqs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * SQS's batch calls (send, delete, change visibility) take at most ten entries each, and a send at most 1 MiB in
 * all (bodies and message attributes): SQS refuses the whole batch otherwise ({@code BatchRequestTooLong}).
 */
final class SqsBatches {

    static final int LIMIT = 10;
    static final long MAX_SEND_BYTES = 1024 * 1024;

    private SqsBatches() {
    }

    /** What SQS counts toward a send's 1 MiB for one message: its body and each attribute's name, type and value. */
    static long sendBytes(String body, Map<String, MessageAttributeValue> attributes) {
        return utf8Length(body) + attributeBytes(attributes);
    }

    /** The attributes' share of {@link #sendBytes}, in UTF-8 (a binary value by its length). */
    static long attributeBytes(Map<String, MessageAttributeValue> attributes) {
        long bytes = 0;
        for (Map.Entry<String, MessageAttributeValue> attribute : attributes.entrySet()) {
            MessageAttributeValue value = attribute.getValue();
            bytes += utf8Length(attribute.getKey()) + utf8Length(value.dataType())
                    + (value.stringValue() != null ? utf8Length(value.stringValue())
                            : value.binaryValue() != null ? value.binaryValue().asByteArray().length : 0);
        }
        return bytes;
    }

    static long utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Consecutive batches of at most {@link #LIMIT} elements, in order. */
    static <T> List<List<T>> of(List<T> items) {
        return of(items, item -> 0, Long.MAX_VALUE);
    }

    /**
     * Consecutive batches of at most {@link #LIMIT} elements and at most {@code maxBytes} in all, in order. An
     * element over {@code maxBytes} on its own goes alone, so only it can be refused.
     */
    static <T> List<List<T>> of(List<T> items, ToLongFunction<T> bytes, long maxBytes) {
        List<List<T>> batches = new ArrayList<>();
        List<T> batch = new ArrayList<>(LIMIT);
        long batchBytes = 0;
        for (T item : items) {
            long size = bytes.applyAsLong(item);
            if (!batch.isEmpty() && (batch.size() == LIMIT || batchBytes + size > maxBytes)) {
                batches.add(batch);
                batch = new ArrayList<>(LIMIT);
                batchBytes = 0;
            }
            batch.add(item);
            batchBytes += size;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }
}
