package ai.track.capidispatch.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One measurement's p50, p95 and p99 per pixel over a sliding window: gauges
 * {@code <name>{Percentile=p50|p95|p99, PixelId=<pixel>}} in the application's registry, which CloudWatch
 * publishes in milliseconds and Prometheus in seconds. The percentiles are Micrometer's client-side ones
 * ({@code Timer.publishPercentiles}), so they describe one task and cannot be averaged across tasks.
 *
 * <p>Why not {@code publishPercentiles} on the application's registry with a MeterFilter renaming
 * {@code <name>.percentile}/{@code phi} for CloudWatch: each registry derives the percentile gauges from its
 * own copy of the timer, so CloudWatch would have to accept the per-pixel timer as well and would publish
 * its sum, count, mean and max for every pixel, four billed metrics per pixel that nobody reads. Here the
 * per-pixel timers live in a registry of their own that nothing publishes; only their percentiles leave it.
 */
final class PixelPercentiles {

    static final String PERCENTILE = "Percentile";
    static final String PIXEL_ID = "PixelId";
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};
    /**
     * The window moves in sixths, so a percentile covers between five sixths and all of the window: with a
     * window of one step, few samples fall between two publishes unseen. Each slice is a histogram (some
     * 5 KB at Micrometer's default precision of one significant digit, that is within about ±6 %).
     */
    private static final int WINDOW_SLICES = 6;

    private final String name;
    private final String description;
    private final MeterRegistry registry;
    private final Duration window;
    /** Not a bean: Spring Boot adds every MeterRegistry bean to the application's registry, which publishes. */
    private final MeterRegistry histograms;
    private final Map<String, Timer> byPixel = new ConcurrentHashMap<>();

    PixelPercentiles(String name, String description, MeterRegistry registry, Duration window) {
        this.name = name;
        this.description = description;
        this.registry = registry;
        this.window = window;
        this.histograms = new SimpleMeterRegistry(SimpleConfig.DEFAULT, registry.config().clock());
    }

    /** @param pixelTag the pixel's dimension value, already bounded by {@link PixelTags} */
    void record(String pixelTag, Duration value) {
        byPixel.computeIfAbsent(pixelTag, this::register).record(value);
    }

    private Timer register(String pixelTag) {
        Timer timer = Timer.builder(name).tag(PIXEL_ID, pixelTag)
                .publishPercentiles(PERCENTILES)
                .distributionStatisticExpiry(window)
                .distributionStatisticBufferLength(WINDOW_SLICES)
                .register(histograms);
        for (int i = 0; i < PERCENTILES.length; i++) {
            int index = i;
            TimeGauge.builder(name, timer, TimeUnit.MILLISECONDS, t -> valueAt(t, index))
                    .description(description)
                    .tags(PERCENTILE, label(PERCENTILES[i]), PIXEL_ID, pixelTag)
                    .register(registry);
        }
        return timer;
    }

    private static double valueAt(Timer timer, int index) {
        ValueAtPercentile[] values = timer.takeSnapshot().percentileValues();
        // An empty window reads 0 at every percentile (the timer's max is no guide: it outlives the window).
        // NaN publishes nothing instead, so a quiet pixel shows no data in CloudWatch rather than a fast one.
        if (values[values.length - 1].value() == 0) {
            return Double.NaN;
        }
        return values[index].value(TimeUnit.MILLISECONDS);
    }

    /** {@code 0.95} as {@code p95}. */
    static String label(double percentile) {
        return "p" + Math.round(percentile * 100);
    }
}
