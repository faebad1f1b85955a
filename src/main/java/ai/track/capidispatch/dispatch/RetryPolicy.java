package ai.track.capidispatch.dispatch;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When a retryable failure may be tried again, and when to give up. Backoff is exponential in the attempt
 * number (failed dispatch attempts, not SQS receives) with "equal jitter" (half fixed, half random), so a burst of failures does not come back as
 * a burst; a {@code Retry-After} from Meta is a floor.
 *
 * @param maxAttempts failed attempts after which a retryable failure is dead-lettered as {@code RETRIES_EXHAUSTED}
 * @param baseDelay delay after the first failed attempt
 * @param maxDelay cap of the exponential growth
 * @param holdDelay how long a held message stays invisible before it is looked at again
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration holdDelay) {

    /** SQS's longest visibility timeout. */
    static final Duration SQS_MAX_VISIBILITY = Duration.ofHours(12);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (baseDelay.isNegative() || baseDelay.isZero() || baseDelay.compareTo(maxDelay) > 0) {
            throw new IllegalArgumentException("need 0 < baseDelay (" + baseDelay + ") <= maxDelay (" + maxDelay + ")");
        }
        if (maxDelay.compareTo(SQS_MAX_VISIBILITY) > 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " exceeds SQS's 12 h visibility limit");
        }
    }

    public boolean exhausted(int attempt) {
        return attempt >= maxAttempts;
    }

    /** @param retryAfter Meta's hint, or {@code null} */
    public Duration delay(int attempt, Duration retryAfter, RandomGenerator random) {
        int doublings = Math.max(0, Math.min(attempt - 1, 30));
        long exponentialMillis = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(doublings, 40));
        long half = exponentialMillis / 2;
        long jittered = half + (half > 0 ? random.nextLong(half + 1) : 0);
        Duration delay = Duration.ofMillis(Math.max(jittered, baseDelay.toMillis() / 2));
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter;
        }
        return delay.compareTo(SQS_MAX_VISIBILITY) > 0 ? SQS_MAX_VISIBILITY : delay;
    }
}
