package ai.track.capidispatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import ai.track.capidispatch.credentials.CredentialsProvider;
import ai.track.capidispatch.credentials.MetaSecret;
import ai.track.capidispatch.dispatch.GatewayResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerDispatchMetricsTest {

    private static final String DEFAULT_PIXEL = "123456789012345";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerDispatchMetrics metrics = new MicrometerDispatchMetrics(registry,
            new MetricsProperties(2, Duration.ofMinutes(1)), new FixedSecret(new MetaSecret(DEFAULT_PIXEL, Map.of())));

    @Test
    void countsAMessageWithoutPixelIdUnderTheSecretsDefaultPixel() {
        metrics.recordDispatchLatency(null, Duration.ofMillis(300));
        metrics.recordDispatchLatency(DEFAULT_PIXEL, Duration.ofMillis(300));

        assertThat(registry.find("EventAgePercentile").timeGauges()).extracting(g -> g.getId().getTag("PixelId"))
                .containsOnly(DEFAULT_PIXEL);
        assertThat(millis("EventAgePercentile", "p50", DEFAULT_PIXEL)).isCloseTo(300, withinPercentage(7));
    }

    @Test
    void foldsPixelsPastTheLimitIntoOtherAcrossBothMeasurements() {
        metrics.recordMetaRequest("111", Duration.ofMillis(20), 1, GatewayResult.delivered(200, "A"));
        metrics.recordDispatchLatency("222", Duration.ofMillis(40));
        metrics.recordMetaRequest("333", Duration.ofMillis(60), 1, GatewayResult.delivered(200, "B"));
        metrics.recordDispatchLatency("333", Duration.ofMillis(80));

        assertThat(millis("MetaRequestLatencyPercentile", "p99", "111")).isCloseTo(20, withinPercentage(7));
        assertThat(millis("EventAgePercentile", "p99", "222")).isCloseTo(40, withinPercentage(7));
        assertThat(millis("MetaRequestLatencyPercentile", "p99", PixelTags.OTHER)).isCloseTo(60, withinPercentage(7));
        assertThat(millis("EventAgePercentile", "p99", PixelTags.OTHER)).isCloseTo(80, withinPercentage(7));
    }

    @Test
    void keepsTheContractsLatencyMetricsWithoutDimensions() {
        metrics.recordDispatchLatency("111", Duration.ofMillis(40));
        metrics.recordDispatchLatency("222", Duration.ofMillis(-5));
        metrics.recordMetaRequest("111", Duration.ofMillis(20), 3, GatewayResult.delivered(200, "A"));

        assertThat(registry.get("DispatchLatency").timer().getId().getTags()).isEmpty();
        assertThat(registry.get("DispatchLatency").timer().count()).isEqualTo(2);
        assertThat(registry.get("MetaRequestLatency").timer().getId().getTags()).isEmpty();
        assertThat(registry.get("MetaRequestLatency").timer().count()).isEqualTo(1);
        assertThat(millis("EventAgePercentile", "p50", "222")).as("only zero ages (a clock behind SQS) publish nothing")
                .isNaN();
    }

    private double millis(String name, String percentile, String pixel) {
        return registry.get(name).tags("Percentile", percentile, "PixelId", pixel).timeGauge()
                .value(TimeUnit.MILLISECONDS);
    }

    private record FixedSecret(MetaSecret secret) implements CredentialsProvider {

        @Override
        public MetaSecret current() {
            return secret;
        }

        @Override
        public MetaSecret refreshNow() {
            return secret;
        }

        @Override
        public Optional<Instant> loadedAt() {
            return Optional.of(Instant.EPOCH);
        }

        @Override
        public boolean unavailable() {
            return false;
        }
    }
}
