package ai.track.capidispatch.sqs;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * SQS's batch calls (send, delete, change visibility) take at most ten entries each, and a send at most 1 MiB in
 * all (bodies and message attributes): SQS refuses the whole batch otherwise ({@code BatchRequestTooLong}).
 */
final class SqsBatches {

    static final int LIMIT = 10;
    static final long MAX_SEND_BYTES = 1024 * 1024;

    private SqsBatches() {
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
