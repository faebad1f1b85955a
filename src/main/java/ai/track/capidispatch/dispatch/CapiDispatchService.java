package ai.track.capidispatch.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * Takes one message from its body to what should become of it: prepare (parse, validate, id, hash), batch
 * and send, then decide retry, dead letter or hold by the retry policy. It sequences; each stage is its own
 * type.
 */
public final class CapiDispatchService {

    private final EventPreparer preparer;
    private final PixelBatcher batcher;
    private final RetryPolicy retryPolicy;
    private final DispatchMetrics metrics;
    private final Clock clock;
    private final RandomGenerator random;

    public CapiDispatchService(EventPreparer preparer, PixelBatcher batcher, RetryPolicy retryPolicy,
            DispatchMetrics metrics, Clock clock, RandomGenerator random) {
        this.preparer = preparer;
        this.batcher = batcher;
        this.retryPolicy = retryPolicy;
        this.metrics = metrics;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Completes with an outcome for a bad message and for a failing Meta alike. It completes exceptionally
     * only for a bug or an infrastructure failure, and the listener then leaves the message on the queue.
     */
    public CompletableFuture<DispatchOutcome> dispatch(IncomingMessage incoming) {
        PreparedMessage prepared = preparer.prepare(incoming.body());
        if (prepared instanceof PreparedMessage.Ready ready) {
            return batcher.submit(ready.key(), ready.event(), incoming.body().length())
                    .thenApply(result -> record(incoming, ready.key().pixelId(), decide(incoming, result)));
        }
        // A rejected message never reached a pixel: no latency is recorded for it.
        return CompletableFuture.completedFuture(
                record(incoming, null, ((PreparedMessage.Rejected) prepared).deadLetter()));
    }

    private DispatchOutcome decide(IncomingMessage incoming, GatewayResult result) {
        switch (result.verdict()) {
            case DELIVERED:
                return new DispatchOutcome.Delivered(result.fbtraceId());
            case DEAD_LETTER:
                return new DispatchOutcome.DeadLetter(result.errorClass(), result.reason(), result.error());
            case HOLD:
                return new DispatchOutcome.Held(result.errorClass(), result.reason(), result.error(),
                        retryPolicy.holdDelay());
            case RETRY:
                if (result.errorClass() == ErrorClass.CIRCUIT_OPEN) {
                    // Not the event's failure and not an attempt: Meta was not called. Held, so it neither
                    // burns an attempt nor floods the DLQ during an outage.
                    return new DispatchOutcome.Held(result.errorClass(), result.reason(), null,
                            result.retryAfter() != null ? result.retryAfter() : retryPolicy.holdDelay());
                }
                if (retryPolicy.exhausted(incoming.attempt())) {
                    return new DispatchOutcome.DeadLetter(ErrorClass.RETRIES_EXHAUSTED, "gave up after "
                            + incoming.attempt() + " attempts; last failure: " + result.reason(), result.error());
                }
                return new DispatchOutcome.RetryLater(result.errorClass(), result.reason(), result.error(),
                        retryPolicy.delay(incoming.attempt(), result.retryAfter(), random));
            default:
                throw new IllegalStateException("unknown verdict " + result.verdict());
        }
    }

    private DispatchOutcome record(IncomingMessage incoming, String pixelId, DispatchOutcome outcome) {
        metrics.recordOutcome(outcome);
        if (outcome instanceof DispatchOutcome.Delivered && incoming.sentAt() != null) {
            metrics.recordDispatchLatency(pixelId, Duration.between(incoming.sentAt(), clock.instant()));
        }
        return outcome;
    }
}
