package ai.track.capidispatch.dispatch;

import java.time.Instant;

/**
 * One received SQS message, stripped of SQS types.
 *
 * @param messageId SQS's message id, for logs and the DLQ's {@code capi-source-message-id}
 * @param receiveCount SQS's {@code ApproximateReceiveCount} (1 on first delivery)
 * @param sentAt SQS's {@code SentTimestamp}, or {@code null} if SQS did not return it
 */
public record IncomingMessage(String messageId, String body, int receiveCount, Instant sentAt) {

    /** The body is customer data: never printed. */
    @Override
    public String toString() {
        return "IncomingMessage[messageId=" + messageId + ", receiveCount=" + receiveCount + ", sentAt=" + sentAt + "]";
    }
}
