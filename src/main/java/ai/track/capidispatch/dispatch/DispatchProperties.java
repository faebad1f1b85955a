package ai.track.capidispatch.dispatch;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Batching and retry settings ({@code capi.dispatch.*}).
 *
 * @param batchMaxEvents events per Meta request (Meta's limit is 1,000)
 * @param batchMaxBytes message-body bytes per request; Meta documents no byte limit, this keeps requests
 *     to a few MB
 * @param batchLinger the longest an event waits for others to share its request
 * @param maxBatchesInFlight Meta requests at once; each holds a thread while it waits
 * @param maxAttempts receives before a retryable failure is dead-lettered as {@code RETRIES_EXHAUSTED};
 *     keep it below the queue's redrive {@code maxReceiveCount}
 * @param retryBaseDelay backoff after the first failure, doubling per attempt
 * @param retryMaxDelay backoff cap
 * @param holdDelay how long a held message stays invisible before it is looked at again
 */
@Validated
@ConfigurationProperties("capi.dispatch")
public record DispatchProperties(
        @Min(1) @Max(PixelBatch.META_MAX_EVENTS) int batchMaxEvents,
        @NotNull DataSize batchMaxBytes,
        @NotNull Duration batchLinger,
        @Min(1) @Max(64) int maxBatchesInFlight,
        @Min(1) @Max(1000) int maxAttempts,
        @NotNull Duration retryBaseDelay,
        @NotNull Duration retryMaxDelay,
        @NotNull Duration holdDelay) {

    public RetryPolicy retryPolicy() {
        return new RetryPolicy(maxAttempts, retryBaseDelay, retryMaxDelay, holdDelay);
    }

    public PixelBatcher.Settings batchSettings() {
        return new PixelBatcher.Settings(batchMaxEvents, batchMaxBytes.toBytes(), batchLinger);
    }
}
