package ai.track.capidispatch.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks the distinct messages of a queue without consuming them. Each receive hides its messages for
 * {@code hold}, so later receives return messages not seen yet; {@link #close()} makes every message that
 * was not {@linkplain #consumed consumed} visible again at once ({@code ChangeMessageVisibility} to 0).
 * Releasing only at the end, not after each receive, is what lets the scan reach past the first few
 * messages: a released message would come straight back in the next receive.
 *
 * <p>If the process dies, held messages reappear by themselves when {@code hold} runs out. A scan that
 * outlasts {@code hold} sees early messages again; they are recognised by message id and not counted twice,
 * and {@link #endedOnRepeats()} tells the caller the walk may have stopped short.
 */
final class DlqScan implements AutoCloseable {

    /** Receives in a row that bring only messages already seen before the walk gives up. */
    static final int MAX_REPEATED_RECEIVES = 3;
    /**
     * Long polling (any wait above 0) asks every SQS server, so an empty answer means the queue has nothing
     * visible left; short polling samples a subset and may answer empty while messages remain.
     */
    static final Duration RECEIVE_WAIT = Duration.ofSeconds(1);

    private final QueueClient sqs;
    private final String queueUrl;
    private final int limit;
    private final Duration hold;
    private final Set<String> seen = new HashSet<>();
    /** message id → the newest receipt handle: only that one can change the message's visibility. */
    private final Map<String, String> held = new LinkedHashMap<>();
    private boolean endedOnRepeats;
    private int unreleased;

    DlqScan(QueueClient sqs, String queueUrl, int limit, Duration hold) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.limit = limit;
        this.hold = hold;
    }

    /** Messages not returned before; empty when the queue has no more, or {@code limit} were returned. */
    List<DlqMessage> next() {
        int repeatedReceives = 0;
        while (seen.size() < limit) {
            List<DlqMessage> received = sqs.receive(queueUrl, limit - seen.size(), hold, RECEIVE_WAIT);
            if (received.isEmpty()) {
                return List.of();
            }
            List<DlqMessage> fresh = new ArrayList<>();
            for (DlqMessage message : received) {
                held.put(message.messageId(), message.receiptHandle());
                if (seen.add(message.messageId())) {
                    fresh.add(message);
                }
            }
            if (!fresh.isEmpty()) {
                return fresh;
            }
            if (++repeatedReceives >= MAX_REPEATED_RECEIVES) {
                endedOnRepeats = true;
                return List.of();
            }
        }
        return List.of();
    }

    /** The caller deleted the message: there is nothing to release. */
    void consumed(DlqMessage message) {
        held.remove(message.messageId());
    }

    int scanned() {
        return seen.size();
    }

    boolean limitReached() {
        return seen.size() >= limit;
    }

    /** Messages seen earlier in this walk started coming back before the queue ran dry. */
    boolean endedOnRepeats() {
        return endedOnRepeats;
    }

    /** Messages {@link #close()} could not make visible again; they reappear when {@code hold} ends. */
    int unreleased() {
        return unreleased;
    }

    @Override
    public void close() {
        unreleased += sqs.release(queueUrl, held.values());
        held.clear();
    }
}
