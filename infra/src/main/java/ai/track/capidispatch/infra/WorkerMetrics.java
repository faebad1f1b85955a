package ai.track.capidispatch.infra;

import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.MathExpression;

/**
 * The worker's own metrics as CloudWatch stores them (contract §5, docs/configuration.md "Metrics"), and the
 * Metrics Insights query the alarms and the dashboard read them with.
 *
 * <p>The worker publishes the contract's bare names (its CloudWatch naming convention strips the {@code .count}
 * and {@code .value} that Micrometer would append; {@code CloudWatchPublishingTest} proves it). Counters carry an
 * {@code ErrorClass} dimension, the percentile gauges {@code Percentile} and {@code PixelId}. A plain metric would
 * watch only the dimensionless series, which the worker never publishes for those; a query aggregates every
 * series and keeps working when a new error class or pixel appears.
 */
public final class WorkerMetrics {

    public static final String NAMESPACE = WorkerService.METRICS_NAMESPACE;

    /** Counter: messages Meta accepted. No dimension. */
    public static final String DISPATCH_SUCCESS = "DispatchSuccess";
    /** Counter: messages left on the queue for another attempt, per {@value #ERROR_CLASS}. */
    public static final String DISPATCH_RETRY = "DispatchRetry";
    /** Counter: messages written to the DLQ, per {@value #ERROR_CLASS}. */
    public static final String DISPATCH_DEAD_LETTER = "DispatchDeadLetter";
    /** Counter: messages held (token, permission, API version, not Meta answering), per {@value #ERROR_CLASS}. */
    public static final String DISPATCH_HELD = "DispatchHeld";
    /** Counter: failed Meta <em>requests</em> (not messages), per {@value #ERROR_CLASS}. */
    public static final String DISPATCH_FAILURE = "DispatchFailure";
    /** Gauge: 0 closed, 1 open, 2 half-open. */
    public static final String CIRCUIT_BREAKER_STATE = "CircuitBreakerState";
    /**
     * Gauge, ms: SQS sent → Meta accepted, per {@value #PERCENTILE} and {@value #PIXEL_ID}. Each task computes its
     * own percentiles over its own events, so only their maximum can be read across tasks: percentiles of
     * different populations cannot be averaged into the percentile of the whole.
     */
    public static final String EVENT_AGE_PERCENTILE = "EventAgePercentile";
    /** Gauge, ms: one request to Meta, per {@value #PERCENTILE} and {@value #PIXEL_ID}; client-side like the above. */
    public static final String META_REQUEST_LATENCY_PERCENTILE = "MetaRequestLatencyPercentile";

    public static final String ERROR_CLASS = "ErrorClass";
    public static final String PERCENTILE = "Percentile";
    public static final String PIXEL_ID = "PixelId";

    /** The values of the {@value #PERCENTILE} dimension the worker publishes. */
    public enum Percentile {
        P50, P95, P99;

        /** As the worker writes it into the dimension: {@code p95}. */
        public String dimensionValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private WorkerMetrics() {
    }

    /** {@code function} over every series of {@code metricName}, whatever its dimensions. */
    public static MathExpression select(String function, String metricName, String label, Duration period) {
        return query(from(function, metricName), label, period);
    }

    /** {@code function} over every series of a percentile gauge that carries the one percentile. */
    public static MathExpression select(String function, String metricName, Percentile percentile, String label,
            Duration period) {
        return query(from(function, metricName) + " WHERE " + PERCENTILE + " = '" + percentile.dimensionValue() + "'",
                label, period);
    }

    /**
     * One series per percentile, each {@code function} over all tasks and pixels. CloudWatch runs at most one
     * Metrics Insights query per graph, so the three percentiles come from one query grouped by the dimension, not
     * from three queries.
     */
    public static MathExpression selectPerPercentile(String function, String metricName, Duration period) {
        // The empty label: the CDK then renders none (rather than the query text), and CloudWatch names each series
        // by its group, p50, p95, p99.
        return query(from(function, metricName) + " GROUP BY " + PERCENTILE, "", period);
    }

    private static String from(String function, String metricName) {
        // Quoted: the namespace holds a dash and a slash; the names are quoted alike for uniformity.
        return "SELECT " + function + "(\"" + metricName + "\") FROM \"" + NAMESPACE + "\"";
    }

    private static MathExpression query(String sql, String label, Duration period) {
        return MathExpression.Builder.create()
                .expression(sql)
                .usingMetrics(Map.of())
                .label(label)
                .period(period)
                .build();
    }
}
