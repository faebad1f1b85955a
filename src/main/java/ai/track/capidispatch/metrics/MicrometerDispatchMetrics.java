package ai.track.capidispatch.metrics;

import ai.track.capidispatch.credentials.CredentialsProvider;
import ai.track.capidispatch.dispatch.DispatchMetrics;
import ai.track.capidispatch.dispatch.DispatchOutcome;
import ai.track.capidispatch.dispatch.GatewayResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The contract's metric names (§5) as Micrometer meters; the CloudWatch registry publishes them under the
 * namespace {@code Track-AI/CAPI}. Dimensions stay few and bounded: the error class, and on the two
 * percentile metrics the pixel, capped by {@link PixelTags}; never event or message ids.
 */
@Component
class MicrometerDispatchMetrics implements DispatchMetrics {

    private final MeterRegistry registry;
    private final Counter success;
    private final Timer dispatchLatency;
    private final Timer metaRequestLatency;
    private final DistributionSummary batchSize;
    private final PixelTags pixels;
    private final PixelPercentiles eventAge;
    private final PixelPercentiles metaRequestPercentiles;

    /**
     * @param credentials names the default pixel of a message without {@code pixel_id}, so its percentiles
     *     land under the same {@code PixelId} as the Meta requests that carried it
     */
    MicrometerDispatchMetrics(MeterRegistry registry, MetricsProperties properties, CredentialsProvider credentials) {
        this.registry = registry;
        this.success = Counter.builder("DispatchSuccess").description("Messages Meta accepted").register(registry);
        this.dispatchLatency = Timer.builder("DispatchLatency")
                .description("SQS sent to Meta accepted").publishPercentileHistogram().register(registry);
        this.metaRequestLatency = Timer.builder("MetaRequestLatency")
                .description("One Meta request, send to answer").publishPercentileHistogram().register(registry);
        this.batchSize = DistributionSummary.builder("BatchSize")
                .description("Events per Meta request").register(registry);
        this.pixels = new PixelTags(properties.maxPixels(), () -> credentials.current().defaultPixelId());
        this.eventAge = new PixelPercentiles("EventAgePercentile", "SQS sent to Meta accepted, per pixel",
                registry, properties.percentileWindow());
        this.metaRequestPercentiles = new PixelPercentiles("MetaRequestLatencyPercentile",
                "One Meta request, send to answer, per pixel", registry, properties.percentileWindow());
    }

    @Override
    public void recordOutcome(DispatchOutcome outcome) {
        if (outcome instanceof DispatchOutcome.Delivered) {
            success.increment();
        } else if (outcome instanceof DispatchOutcome.RetryLater retry) {
            counter("DispatchRetry", retry.errorClass().name());
        } else if (outcome instanceof DispatchOutcome.DeadLetter deadLetter) {
            counter("DispatchDeadLetter", deadLetter.errorClass().name());
        } else if (outcome instanceof DispatchOutcome.Held held) {
            counter("DispatchHeld", held.errorClass().name());
        }
    }

    @Override
    public void recordDispatchLatency(String pixelId, Duration sentToAccepted) {
        Duration age = sentToAccepted.isNegative() ? Duration.ZERO : sentToAccepted;
        dispatchLatency.record(age);
        eventAge.record(pixels.of(pixelId), age);
    }

    @Override
    public void recordMetaRequest(String pixelId, Duration latency, int eventCount, GatewayResult result) {
        metaRequestLatency.record(latency);
        metaRequestPercentiles.record(pixels.of(pixelId), latency);
        batchSize.record(eventCount);
        if (result.verdict() != GatewayResult.Verdict.DELIVERED) {
            counter("DispatchFailure", result.errorClass() == null ? "UNKNOWN" : result.errorClass().name());
        }
    }

    private void counter(String name, String errorClass) {
        registry.counter(name, "ErrorClass", errorClass).increment();
    }
}
