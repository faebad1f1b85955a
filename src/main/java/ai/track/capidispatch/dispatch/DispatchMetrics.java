package ai.track.capidispatch.dispatch;

import java.time.Duration;

/**
 * Port for the contract's metrics (§5). Implementations must be fast and must never throw: a metrics
 * problem is no reason to redeliver a message.
 */
public interface DispatchMetrics {

    void recordOutcome(DispatchOutcome outcome);

    /** Time from the message's SQS {@code SentTimestamp} until Meta accepted it. */
    void recordDispatchLatency(Duration sentToAccepted);

    /** One Meta request: its latency, its size and whether it failed. */
    void recordMetaRequest(Duration latency, int eventCount, GatewayResult result);
}
