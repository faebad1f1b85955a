package ai.track.capidispatch.dispatch;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Derives an {@code event_id} from an event's content, for events whose producer sent none.
 *
 * <p>Why content and not a random id: SQS delivers at least once, and the worker itself resends after a
 * timeout, when Meta may already have the first copy. Meta deduplicates on {@code event_id} plus
 * {@code event_name} among events received within 48 hours, so every copy of one message has to carry the
 * same id, whichever worker, process or day derives it. Hashing the content does that with no state.
 *
 * <p>The id covers the pixel id, {@code event_name}, {@code event_time}, {@code action_source},
 * {@code event_source_url}, the <em>raw</em> customer information (call this before
 * {@link UserDataNormalizer}, so that a change of normalization rules does not change the id of a message
 * already in flight), the other {@code user_data} fields and {@code custom_data}. Events that differ in any of
 * these get different ids; JSON property order does not matter. The other top-level event fields
 * ({@code opt_out}, {@code data_processing_options}, ...) are processing flags rather than what happened,
 * so they are left out. Two genuinely distinct conversions with identical content (same second, same
 * customer, same cart) get the same id and Meta keeps one: a producer that can tell them apart must send
 * its own {@code event_id}.
 *
 * <p>Format: {@code capi-} followed by the first 32 lowercase hex characters (128 bits) of SHA-256.
 */
public final class EventIdGenerator {

    static final String PREFIX = "capi-";
    private static final int HEX_LENGTH = 32;
    /** Versions the canonical form: changing what goes into the hash must change this, never silently. */
    private static final String SCHEME = "capi-dispatch-worker/event-id/v1\n";

    private final Sha256 sha256 = new Sha256();

    public String deriveEventId(String pixelId, ServerEvent event) {
        Objects.requireNonNull(event, "event");
        String canonical = CanonicalJson.write(identity(pixelId, event));
        return PREFIX + sha256.hex(SCHEME + canonical).substring(0, HEX_LENGTH);
    }

    private static ObjectNode identity(String pixelId, ServerEvent event) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode identity = nodes.objectNode();
        identity.put("pixel_id", pixelId);
        identity.put("event_name", event.eventName());
        identity.put("event_time", event.eventTime());
        identity.put("action_source", event.actionSource());
        identity.put("event_source_url", event.eventSourceUrl());
        // Nested, not flat as in Meta's JSON, so that no other field can collide with a customer-information key.
        ObjectNode userData = identity.putObject("user_data");
        ObjectNode customerInformation = userData.putObject("customer_information");
        for (Map.Entry<String, List<String>> field : event.userData().customerInformation().entrySet()) {
            ArrayNode values = customerInformation.putArray(field.getKey());
            if (field.getValue() != null) {
                field.getValue().forEach(values::add);
            }
        }
        ObjectNode otherUserData = userData.putObject("other");
        for (Map.Entry<String, JsonNode> field : event.userData().otherFields().entrySet()) {
            otherUserData.set(field.getKey(), field.getValue() == null ? nodes.nullNode() : field.getValue());
        }
        identity.set("custom_data", event.customData() == null ? nodes.nullNode() : event.customData());
        return identity;
    }
}
