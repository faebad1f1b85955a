package ai.track.capidispatch.dispatch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Meta server event, with Meta's semantics. The fields the worker reasons about are typed; everything
 * else Meta defines ({@code opt_out}, {@code data_processing_options}, {@code app_data}, ...) travels in
 * {@code otherFields} and is forwarded unchanged, so a new Meta parameter needs no release of the worker.
 *
 * <p>Components may be {@code null} when the producer left them out: the parser checks types only, the
 * {@code EventValidator} decides what is required.
 *
 * @param customData Meta's {@code custom_data} object, forwarded as received (unknown keys included)
 */
public record ServerEvent(
        String eventName,
        Long eventTime,
        String eventId,
        String actionSource,
        String eventSourceUrl,
        UserData userData,
        ObjectNode customData,
        Map<String, JsonNode> otherFields) {

    public ServerEvent {
        userData = userData == null ? UserData.EMPTY : userData;
        otherFields = Collections.unmodifiableMap(new LinkedHashMap<>(otherFields));
    }

    public ServerEvent withUserData(UserData replacement) {
        return new ServerEvent(eventName, eventTime, eventId, actionSource, eventSourceUrl, replacement, customData,
                otherFields);
    }

    public ServerEvent withEventId(String replacement) {
        return new ServerEvent(eventName, eventTime, replacement, actionSource, eventSourceUrl, userData, customData,
                otherFields);
    }

    /** No customer data and no URLs (they may carry query-string PII): safe for logs. */
    @Override
    public String toString() {
        return "ServerEvent[eventName=" + eventName + ", eventTime=" + eventTime + ", eventId=" + eventId
                + ", actionSource=" + actionSource + ", userData=" + userData + "]";
    }
}
