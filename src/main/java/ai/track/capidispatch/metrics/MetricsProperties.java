package ai.track.capidispatch.metrics;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The per-pixel percentiles ({@code capi.metrics.*}).
 *
 * @param maxPixels pixels that get a {@code PixelId} dimension of their own; later ones share
 *     {@value PixelTags#OTHER}. Each pixel costs six CloudWatch custom metrics
 * @param percentileWindow how far back a published percentile looks; the CloudWatch step, so that each
 *     datapoint describes the minute it stands for
 */
@Validated
@ConfigurationProperties("capi.metrics")
record MetricsProperties(
        @Min(1) @Max(1000) int maxPixels,
        @NotNull @DurationMin(seconds = 1) Duration percentileWindow) {
}
