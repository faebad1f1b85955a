package ai.track.capidispatch.sqs;

/**
 * The heap a message holds, as {@link InFlightBudget} counts it: a model from measurements, not a measurement per
 * message (the JVM has no cheap one). Measured on JDK 17 by parsing and preparing 40 messages at a time and
 * comparing the heap after a full collection: the prepared event (its {@code custom_data} is a JSON tree) holds
 * 5.8 times the body for a cart of 1,800 or 4,500 {@code contents} items, 7.8 times for 90,000 {@code content_ids},
 * 3.2 times for 500,000 small numbers (which Jackson shares).
 */
final class MessageFootprint {

    /** SQS's largest message body: 1 MiB. */
    static final long MAX_BODY_BYTES = 1024 * 1024;

    /** The SDK's message, its attributes and receipt handle, the Spring message and its headers, the futures. */
    static final long PER_MESSAGE_BYTES = 2 * 1024;

    /**
     * What a message costs while it is parsed and sent, per character of its body: the prepared event (up to 7.8
     * times, above) and its share of the Meta request being written and sent (once more, and the request buffer
     * grows by doubling).
     */
    static final long DISPATCH_BYTES_PER_CHAR = 9;

    /**
     * What one message a poll asks for holds until the poll answers: the receive's response (the body, escaped
     * inside SQS's JSON) and the body decoded from it, for the largest body SQS can return.
     */
    static final long PERMIT_BYTES = PER_MESSAGE_BYTES + 2 * MAX_BODY_BYTES;

    /** From the listener on, until the outcome is settled: the body (the DLQ copy needs it) and the message. */
    static long received(String body) {
        return PER_MESSAGE_BYTES + body.length();
    }

    /** While the message is parsed, batched and sent. */
    static long dispatching(String body) {
        return DISPATCH_BYTES_PER_CHAR * body.length();
    }

    private MessageFootprint() {
    }
}
