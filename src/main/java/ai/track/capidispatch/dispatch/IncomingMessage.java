package ai.track.capidispatch.dispatch;

import java.time.Instant;

/**
 * One received SQS message, stripped of SQS types.
 *
 * @param messageId SQS's message id, for logs and the DLQ's {@code capi-source-message-id}
 * @param attempt which dispatch attempt this is: 1 for a message the worker has not tried yet, n + 1 for one that
 *     failed n times for a retryable reason (a retry copy carries n; see {@code sqs.RetryCopies}). Receives that
 *     end without an attempt (held, returned at shutdown, a task killed) do not count
 * @param sentAt when the producer sent the event: SQS's {@code SentTimestamp} of the first message (a retry copy
 *     carries it along), or {@code null} if SQS did not return it
 */
public record IncomingMessage(String messageId, String body, int attempt, Instant sentAt) {

    /** The body is customer data: never printed. */
    @Override
    public String toString() {
        return "IncomingMessage[messageId=" + messageId + ", attempt=" + attempt + ", sentAt=" + sentAt + "]";
    }
}
