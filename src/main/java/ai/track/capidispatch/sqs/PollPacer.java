package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.listener.backpressure.BackPressureHandler;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Decides how many receives run at once from what the last ones brought, so that a receive (about a millisecond
 * of CPU, the same for one message as for ten) brings as many messages as it can:
 * <ul>
 * <li>a full receive (as many messages as asked for) means a backlog: one more poll may run (with n polls running,
 * n full receives per round trip: the polls double per round trip, as TCP's slow start does);</li>
 * <li>a short one means the queue is nearly empty and SQS hands out messages as they arrive: half as many may run,
 * and once only one may, it waits {@code sparse-poll-delay} before it starts, so messages gather for it;</li>
 * <li>an empty one (the long poll waited it out, or the receive failed) leaves one poll, started at once.</li>
 * </ul>
 * Halving on short receives rather than dropping to one keeps a deep queue at full speed when SQS now and then
 * returns fewer messages than it holds. Spring Cloud AWS's own adaptive handler switches to unlimited polls on any
 * non-empty receive, so at a steady 500 messages/s up to 200 long polls wait at once and each returns with one or
 * two messages. {@code max-concurrent-messages} still bounds the messages in flight: this handler runs after Spring
 * Cloud AWS's concurrency limiter in a composite.
 *
 * <p>Not doubling per full receive: a burst (say the messages that gathered during a GC pause) would then start
 * dozens of polls, which, once the burst is taken, wait as long polls and return one message each.
 *
 * <p>It never holds the polling thread for long: {@link #request} gives up after {@code maxWait} and grants nothing,
 * so a stopping container (which waits for every permit) is not kept waiting by a paced poll.
 */
final class PollPacer implements BackPressureHandler {

    private final int maxPolls;
    private final long sparseDelayNanos;
    private final long maxWaitNanos;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private int running;
    private int allowed = 1;
    private long notBefore;
    private boolean drained;

    /**
     * @param maxPolls the most polls that may run at once
     * @param sparseDelay how long the single poll waits after a short receive
     * @param maxWait how long {@link #request} may wait before it grants nothing
     * @param nanoTime the clock ({@link System#nanoTime} outside tests)
     */
    PollPacer(int maxPolls, Duration sparseDelay, Duration maxWait, LongSupplier nanoTime) {
        this.maxPolls = Math.max(1, maxPolls);
        this.sparseDelayNanos = sparseDelay.toNanos();
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoTime = nanoTime;
        this.notBefore = nanoTime.getAsLong();
    }

    /** Grants the whole amount for one poll, or nothing if no poll may start within {@code maxWait}. */
    @Override
    public int request(int amount) throws InterruptedException {
        long giveUpAt = nanoTime.getAsLong() + maxWaitNanos;
        lock.lock();
        try {
            while (!drained) {
                long now = nanoTime.getAsLong();
                if (running < allowed && now - notBefore >= 0) {
                    running++;
                    return amount;
                }
                long left = giveUpAt - now;
                if (left <= 0) {
                    return 0;
                }
                changed.awaitNanos(running < allowed ? Math.min(left, notBefore - now) : left);
            }
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(int amount, ReleaseReason reason) {
        if (reason != ReleaseReason.NONE_FETCHED && reason != ReleaseReason.PARTIAL_FETCH) {
            return; // PROCESSED: a message is done, which says nothing about the queue; LIMITED: never after this one
        }
        lock.lock();
        try {
            running = Math.max(0, running - 1);
            if (reason == ReleaseReason.NONE_FETCHED) {
                allowed = 1;
            } else if (amount == 0) {
                allowed = Math.min(maxPolls, allowed + 1);
            } else {
                allowed = Math.max(1, allowed / 2);
                if (allowed == 1) {
                    notBefore = nanoTime.getAsLong() + sparseDelayNanos;
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Nothing of its own to wait for: the concurrency limiter waits for the messages in flight. */
    @Override
    public boolean drain(Duration timeout) {
        lock.lock();
        try {
            drained = true;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Polls that may run at once now; for tests and the debugger. */
    int allowedPolls() {
        lock.lock();
        try {
            return allowed;
        } finally {
            lock.unlock();
        }
    }

    static PollPacer forQueue(SqsWorkerProperties properties) {
        return new PollPacer(properties.maxConcurrentMessages() / properties.maxMessagesPerPoll(),
                properties.sparsePollDelay(),
                Duration.ofSeconds(1), System::nanoTime);
    }
}
