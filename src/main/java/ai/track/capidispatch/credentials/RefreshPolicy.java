package ai.track.capidispatch.credentials;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When the secret is read again. Pure arithmetic, so the timing can be tested without threads or clocks.
 *
 * <ul>
 *   <li>After a good read: {@code interval} ±10 %. The jitter keeps the tasks of one service, started by the
 *       same deployment, from reading Secrets Manager in lockstep for ever after.
 *   <li>After failed reads: {@code retryBaseDelay} doubling per consecutive failure up to {@code interval},
 *       each delay drawn from its upper half (AWS's "equal jitter"): a broken secret or an outage costs a few
 *       reads a minute, not a loop, and a short blip is retried within seconds.
 *   <li>A forced re-read (Meta rejected the token) at most once per {@code minForcedInterval}: a storm of
 *       rejections costs one read, and a bug calling it in a loop costs nothing.
 * </ul>
 *
 * @param interval how often a good secret is re-read: a rotated secret is picked up within this time
 * @param retryBaseDelay the first retry after a failed read
 * @param minForcedInterval the least time between two forced re-reads
 */
record RefreshPolicy(Duration interval, Duration retryBaseDelay, Duration minForcedInterval) {

    static final double PERIODIC_JITTER = 0.10;

    RefreshPolicy {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("refresh-interval must be positive");
        }
        if (retryBaseDelay == null || retryBaseDelay.isNegative() || retryBaseDelay.isZero()
                || retryBaseDelay.compareTo(interval) > 0) {
            throw new IllegalArgumentException("refresh-retry-delay must be positive and at most refresh-interval ("
                    + interval + "), was " + retryBaseDelay);
        }
        if (minForcedInterval == null || minForcedInterval.isNegative()) {
            throw new IllegalArgumentException("min-forced-refresh-interval must not be negative");
        }
    }

    /** @param random a uniform value in [0, 1) */
    Duration afterSuccess(DoubleSupplier random) {
        double factor = 1 - PERIODIC_JITTER + 2 * PERIODIC_JITTER * random.getAsDouble();
        return Duration.ofMillis(Math.max(1, Math.round(interval.toMillis() * factor)));
    }

    /**
     * @param consecutiveFailures failed reads since the last good one, at least 1
     * @param random a uniform value in [0, 1)
     */
    Duration afterFailure(int consecutiveFailures, DoubleSupplier random) {
        long ceiling = interval.toMillis();
        long base = retryBaseDelay.toMillis();
        int doublings = Math.min(Math.max(consecutiveFailures, 1) - 1, 30);
        long delay = base > ceiling >> doublings ? ceiling : Math.min(ceiling, base << doublings);
        return Duration.ofMillis(Math.max(1, delay / 2 + Math.round(delay / 2.0 * random.getAsDouble())));
    }
}
