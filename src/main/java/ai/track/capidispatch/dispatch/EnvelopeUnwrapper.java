package ai.track.capidispatch.dispatch;

import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Recognises the two envelopes AWS puts around a body on its way to SQS, and finds the body inside:
 * <ul>
 * <li>SNS to SQS without raw message delivery: {@code {"Type": "Notification", "TopicArn": ..., "Message":
 * "<the body as a JSON string>", ...}};</li>
 * <li>EventBridge to SQS: {@code {"version": "0", "detail-type": ..., "source": ..., "detail": {<the body>},
 * ...}}.</li>
 * </ul>
 *
 * <p>Asked only about a body without {@code event}. A contract body has {@code event} at its top level and
 * neither envelope has, so a raw body is never taken for an envelope, and pays nothing for this check. An
 * envelope is recognised by fields no contract body uses: SNS by {@code Type} holding one of SNS's own
 * message types together with {@code TopicArn} or {@code Message}; EventBridge by {@code detail-type} together
 * with {@code source}. Once recognised, a body that lacks what the envelope must carry is malformed, with a
 * reason that names the envelope and the field, never a value.
 */
final class EnvelopeUnwrapper {

    static final String SNS = "SNS envelope";
    static final String SNS_TYPE = "Type";
    static final String SNS_NOTIFICATION = "Notification";
    static final String SNS_TOPIC_ARN = "TopicArn";
    static final String SNS_MESSAGE = "Message";
    /** What SNS sends a subscribed queue besides notifications: neither carries a conversion. */
    static final Set<String> SNS_CONFIRMATIONS = Set.of("SubscriptionConfirmation", "UnsubscribeConfirmation");

    static final String EVENTBRIDGE = "EventBridge envelope";
    static final String EVENTBRIDGE_DETAIL_TYPE = "detail-type";
    static final String EVENTBRIDGE_SOURCE = "source";
    static final String EVENTBRIDGE_DETAIL = "detail";

    private EnvelopeUnwrapper() {
    }

    static Unwrapped unwrap(ObjectNode body) {
        JsonNode type = body.get(SNS_TYPE);
        if (type != null && type.isString() && (body.has(SNS_TOPIC_ARN) || body.has(SNS_MESSAGE))) {
            String value = type.stringValue();
            if (SNS_NOTIFICATION.equals(value)) {
                return snsNotification(body);
            }
            if (SNS_CONFIRMATIONS.contains(value)) {
                // One of SNS's own constants, so it is safe to name.
                return new Unwrapped.Malformed(SNS + ": Type is " + value + ", not " + SNS_NOTIFICATION
                        + "; it carries no conversion");
            }
        }
        if (body.has(EVENTBRIDGE_DETAIL_TYPE) && body.has(EVENTBRIDGE_SOURCE)) {
            JsonNode detail = body.get(EVENTBRIDGE_DETAIL);
            if (detail == null || detail.isNull()) {
                return new Unwrapped.Malformed(EVENTBRIDGE + ": " + EVENTBRIDGE_DETAIL + " is missing");
            }
            return new Unwrapped.Tree(EVENTBRIDGE + ": " + EVENTBRIDGE_DETAIL, detail);
        }
        return Unwrapped.NONE;
    }

    private static Unwrapped snsNotification(ObjectNode body) {
        JsonNode message = body.get(SNS_MESSAGE);
        if (message == null || message.isNull()) {
            return new Unwrapped.Malformed(SNS + ": " + SNS_MESSAGE + " is missing");
        }
        if (!message.isString()) {
            // Typically a producer that builds the envelope itself and nests the body as an object.
            return new Unwrapped.Malformed(SNS + ": " + SNS_MESSAGE + " must be a string holding the body as JSON");
        }
        return new Unwrapped.Text(SNS + ": " + SNS_MESSAGE, message.stringValue());
    }

    /** What a body without {@code event} turned out to be. */
    sealed interface Unwrapped {

        Unwrapped NONE = new NotAnEnvelope();

        /** Neither envelope: the body is read as it is (and fails for its missing {@code event}). */
        record NotAnEnvelope() implements Unwrapped {
        }

        /**
         * The body inside, as JSON text still to be read (SNS's {@code Message}).
         *
         * @param where names the envelope and the field, for reasons: {@code SNS envelope: Message}
         */
        record Text(String where, String json) implements Unwrapped {
            /** The text is customer data: never printed. */
            @Override
            public String toString() {
                return "Text[where=" + where + "]";
            }
        }

        /**
         * The body inside, already read (EventBridge's {@code detail}); not yet known to be an object.
         *
         * @param where names the envelope and the field, for reasons: {@code EventBridge envelope: detail}
         */
        record Tree(String where, JsonNode body) implements Unwrapped {
            /** The body is customer data: never printed. */
            @Override
            public String toString() {
                return "Tree[where=" + where + "]";
            }
        }

        /** @param reason names the envelope and what is wrong with it, never a value */
        record Malformed(String reason) implements Unwrapped {
        }
    }
}
