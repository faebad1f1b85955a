package ai.track.capidispatch.dispatch;

import java.time.Duration;

/**
 * Port for the contract's metrics (§5). Implementations must be fast and must never throw: a metrics
 * problem is no reason to redeliver a message.
 */
public interface DispatchMetrics {

    void recordOutcome(DispatchOutcome outcome);

    /**
     * Time from the message's SQS {@code SentTimestamp} until Meta accepted it.
     *
     * @param pixelId the message's pixel, or {@code null} for the secret's default pixel
     */
    void recordDispatchLatency(String pixelId, Duration sentToAccepted);

    /**
     * One Meta request: its pixel, its latency, its size and whether it failed.
     *
     * @param pixelId the pixel the request went to, as named in the secret
     */
    void recordMetaRequest(String pixelId, Duration latency, int eventCount, GatewayResult result);
}
