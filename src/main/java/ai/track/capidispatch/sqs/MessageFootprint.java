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
     * How much of a receive's answer the HTTP client reads ahead of what the worker has taken from it (the CRT
     * client's window; Netty reads on demand): the part of an answer {@link ReceiveMetering} cannot see yet.
     */
    static final int RECEIVE_READ_AHEAD_BYTES = 60 * 1024;

    /** SQS's most messages per receive. */
    private static final int MAX_MESSAGES_PER_RECEIVE = 10;

    /**
     * What one message a poll asks for holds until the poll answers: its objects, and its share of the answer's
     * read-ahead. The answer's bytes themselves are counted as they arrive ({@link #answer}), so a poll no longer
     * has to reserve the largest answer SQS could give (20 MiB for ten messages of 1 MiB): that reservation let
     * only three or four receives run at once and cost small messages a third of their throughput.
     */
    static final long PERMIT_BYTES = PER_MESSAGE_BYTES + RECEIVE_READ_AHEAD_BYTES / MAX_MESSAGES_PER_RECEIVE;

    /**
     * What an answer's bytes cost until the SDK has made messages of them, per byte read: the SDK gathers the
     * answer in a growing buffer and copies it out (up to three times the bytes while it grows and copies), then
     * decodes the bodies from that copy (about once more, as the buffer is dropped).
     */
    static final int ANSWER_BYTES_PER_BYTE_READ = 3;

    /** From the listener on, until the outcome is settled: the body (the DLQ copy needs it) and the message. */
    static long received(String body) {
        return PER_MESSAGE_BYTES + body.length();
    }

    /** What {@code bytesRead} of a receive's answer hold until the SDK has decoded it. */
    static long answer(long bytesRead) {
        return ANSWER_BYTES_PER_BYTE_READ * bytesRead;
    }

    /** While the message is parsed, batched and sent. */
    static long dispatching(String body) {
        return DISPATCH_BYTES_PER_CHAR * body.length();
    }

    private MessageFootprint() {
    }
}
