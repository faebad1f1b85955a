package ai.track.capidispatch.ops;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Spaces calls to at most {@code perSecond} messages a second on average: each acquisition reserves its
 * share of time and waits until the previous reservations have run out. Single-threaded use only.
 */
final class RateLimiter {

    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final long nanosPerMessage;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long nextFree;

    RateLimiter(double perSecond, LongSupplier nanoTime, Sleeper sleeper) {
        this(nanosPerMessage(perSecond), nanoTime, sleeper);
    }

    private RateLimiter(long nanosPerMessage, LongSupplier nanoTime, Sleeper sleeper) {
        this.nanosPerMessage = nanosPerMessage;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.nextFree = nanoTime.getAsLong();
    }

    /** @param perSecond {@code null} for no limit */
    static RateLimiter perSecond(Double perSecond) {
        return perSecond == null ? new RateLimiter(0L, System::nanoTime, TimeUnit.NANOSECONDS::sleep)
                : new RateLimiter(perSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    private static long nanosPerMessage(double perSecond) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be above 0 messages/second, but was " + perSecond);
        }
        return Math.max(1L, (long) (TimeUnit.SECONDS.toNanos(1) / perSecond));
    }

    /** Waits until {@code messages} more may go out. */
    void acquire(int messages) throws InterruptedException {
        long now = nanoTime.getAsLong();
        // Time left unused does not pile up into a burst later.
        long start = Math.max(nextFree, now);
        nextFree = start + messages * nanosPerMessage;
        if (start > now) {
            sleeper.sleep(start - now);
        }
    }
}
