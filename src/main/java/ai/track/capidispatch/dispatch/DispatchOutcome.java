package ai.track.capidispatch.dispatch;

import java.time.Duration;

/**
 * What became of one message (contract §4). The listener maps each case to one SQS action in one place;
 * nothing else decides whether a message is deleted.
 */
public sealed interface DispatchOutcome {

    /** Meta accepted the event: delete the message. */
    record Delivered(String fbtraceId) implements DispatchOutcome {
    }

    /**
     * A failure that is worth trying again (timeouts, 5xx, throttling): leave the message on the queue.
     *
     * @param retryAfter how long the message stays invisible before the next attempt (backoff with jitter,
     *     at least Meta's {@code Retry-After})
     */
    record RetryLater(ErrorClass errorClass, String reason, MetaError metaError, Duration retryAfter)
            implements DispatchOutcome {
    }

    /** The message itself is at fault: copy it to the DLQ with the reason, then delete it. */
    record DeadLetter(ErrorClass errorClass, String reason, MetaError metaError) implements DispatchOutcome {
    }

    /**
     * Not the event's fault (token, permissions, retired API version, an answer that did not come from Meta, open
     * circuit breaker): neither delete nor dead-letter; consumption pauses, and for all but the breaker an
     * operator has to act.
     *
     * @param retryAfter how long the message stays invisible before it is looked at again
     */
    record Held(ErrorClass errorClass, String reason, MetaError metaError, Duration retryAfter)
            implements DispatchOutcome {
    }

    /**
     * The worker began stopping while the message waited for room to be parsed: visible again at once, for another
     * worker; nothing was attempted, so nothing is counted (no attempt, no metric).
     */
    record NotStarted() implements DispatchOutcome {
    }
}
