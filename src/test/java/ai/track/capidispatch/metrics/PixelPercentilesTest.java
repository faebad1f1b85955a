package ai.track.capidispatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PixelPercentilesTest {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private final PixelPercentiles percentiles = new PixelPercentiles("EventAgePercentile", "test", registry, WINDOW);

    @Test
    void publishesP50P95AndP99PerPixelAsTimeGauges() {
        for (int ms = 1; ms <= 100; ms++) {
            percentiles.record("111", Duration.ofMillis(ms));
        }
        for (int i = 0; i < 10; i++) {
            percentiles.record("222", Duration.ofSeconds(2));
        }

        // Micrometer's default precision, one significant digit, places a value within about 6 %.
        assertThat(millis("p50", "111")).isCloseTo(50, withinPercentage(7));
        assertThat(millis("p95", "111")).isCloseTo(95, withinPercentage(7));
        assertThat(millis("p99", "111")).isCloseTo(99, withinPercentage(7));
        assertThat(millis("p95", "222")).isCloseTo(2000, withinPercentage(7));
        assertThat(registry.find("EventAgePercentile").timeGauges()).hasSize(6)
                .allSatisfy(gauge -> assertThat(gauge.getId().getTags()).extracting("key")
                        .containsExactlyInAnyOrder("Percentile", "PixelId"));
        assertThat(registry.getMeters()).as("only the gauges reach the application's registry")
                .allSatisfy(meter -> assertThat(meter).isInstanceOf(TimeGauge.class));
    }

    @Test
    void looksBackOverTheWindowOnly() {
        percentiles.record("111", Duration.ofMillis(900));
        clock.add(WINDOW.dividedBy(2));
        percentiles.record("111", Duration.ofMillis(100));

        assertThat(millis("p99", "111")).as("both samples are in the window").isGreaterThan(800);

        clock.add(WINDOW.dividedBy(2).plusSeconds(1));

        assertThat(millis("p99", "111")).as("the 900 ms sample left the window").isCloseTo(100, withinPercentage(7));
    }

    @Test
    void publishesNothingForAPixelWithoutSamplesInTheWindow() {
        percentiles.record("111", Duration.ofMillis(40));

        clock.add(WINDOW.plusSeconds(1));

        assertThat(millis("p50", "111")).as("NaN: CloudWatch publishes no datum, not a 0 ms one").isNaN();
        assertThat(millis("p99", "111")).isNaN();

        percentiles.record("111", Duration.ofMillis(40));
        assertThat(millis("p50", "111")).isCloseTo(40, withinPercentage(7));
    }

    @Test
    void labelsPercentilesTheWayTheDashboardQueriesThem() {
        assertThat(PixelPercentiles.label(0.5)).isEqualTo("p50");
        assertThat(PixelPercentiles.label(0.95)).isEqualTo("p95");
        assertThat(PixelPercentiles.label(0.99)).isEqualTo("p99");
    }

    private double millis(String percentile, String pixel) {
        return registry.get("EventAgePercentile").tags("Percentile", percentile, "PixelId", pixel).timeGauge()
                .value(TimeUnit.MILLISECONDS);
    }
}
