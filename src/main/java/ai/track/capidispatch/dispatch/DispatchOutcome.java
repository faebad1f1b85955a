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
     * @param retryAfter Meta's or the worker's hint for the earliest sensible retry, or {@code null}
     */
    record RetryLater(ErrorClass errorClass, String reason, MetaError metaError, Duration retryAfter)
            implements DispatchOutcome {
    }

    /** The message itself is at fault: copy it to the DLQ with the reason, then delete it. */
    record DeadLetter(ErrorClass errorClass, String reason, MetaError metaError) implements DispatchOutcome {
    }

    /**
     * Not the event's fault and not transient (token, permissions, retired API version): neither delete nor
     * dead-letter; an operator has to act.
     */
    record Held(ErrorClass errorClass, String reason, MetaError metaError) implements DispatchOutcome {
    }
}
