package ai.track.capidispatch.sqs;

import java.util.ArrayList;
import java.util.List;

/** SQS's batch calls (send, delete, change visibility) take at most ten entries each. */
final class SqsBatches {

    static final int LIMIT = 10;

    private SqsBatches() {
    }

    /** Consecutive views of at most {@link #LIMIT} elements, in order. */
    static <T> List<List<T>> of(List<T> items) {
        List<List<T>> batches = new ArrayList<>((items.size() + LIMIT - 1) / LIMIT);
        for (int from = 0; from < items.size(); from += LIMIT) {
            batches.add(items.subList(from, Math.min(from + LIMIT, items.size())));
        }
        return batches;
    }
}
