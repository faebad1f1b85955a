package ai.track.capidispatch.meta;

import ai.track.capidispatch.credentials.MetaCredentials;
import ai.track.capidispatch.dispatch.PixelBatch;
import ai.track.capidispatch.dispatch.ServerEvent;
import ai.track.capidispatch.dispatch.UserData;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the JSON body of {@code POST /{version}/{pixel}/events}. The access token travels in the body, never
 * in the URL: URLs end up in logs, proxies and {@code Response.toString()}.
 */
final class MetaRequestWriter {

    private final JsonMapper mapper;

    MetaRequestWriter(JsonMapper mapper) {
        this.mapper = mapper;
    }

    byte[] write(PixelBatch batch, MetaCredentials credentials) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode data = body.putArray("data");
        for (ServerEvent event : batch.events()) {
            data.add(event(event));
        }
        body.put("access_token", credentials.accessToken());
        if (credentials.appSecret() != null) {
            body.put("appsecret_proof", AppSecretProof.of(credentials.appSecret(), credentials.accessToken()));
        }
        if (batch.testEventCode() != null) {
            body.put("test_event_code", batch.testEventCode());
        }
        return mapper.writeValueAsBytes(body);
    }

    private ObjectNode event(ServerEvent event) {
        ObjectNode node = mapper.createObjectNode();
        putIfPresent(node, "event_name", event.eventName());
        if (event.eventTime() != null) {
            node.put("event_time", event.eventTime());
        }
        putIfPresent(node, "event_id", event.eventId());
        putIfPresent(node, "action_source", event.actionSource());
        putIfPresent(node, "event_source_url", event.eventSourceUrl());
        node.set("user_data", userData(event.userData()));
        if (event.customData() != null) {
            node.set("custom_data", event.customData());
        }
        for (Map.Entry<String, JsonNode> other : event.otherFields().entrySet()) {
            node.set(other.getKey(), other.getValue());
        }
        return node;
    }

    private ObjectNode userData(UserData userData) {
        ObjectNode node = mapper.createObjectNode();
        for (Map.Entry<String, List<String>> field : userData.customerInformation().entrySet()) {
            ArrayNode values = node.putArray(field.getKey());
            field.getValue().forEach(values::add);
        }
        for (Map.Entry<String, JsonNode> other : userData.otherFields().entrySet()) {
            node.set(other.getKey(), other.getValue());
        }
        return node;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
