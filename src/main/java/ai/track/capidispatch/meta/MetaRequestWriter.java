package ai.track.capidispatch.meta;

import ai.track.capidispatch.credentials.MetaCredentials;
import ai.track.capidispatch.dispatch.PixelBatch;
import ai.track.capidispatch.dispatch.ServerEvent;
import ai.track.capidispatch.dispatch.UserData;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the JSON body of {@code POST /{version}/{pixel}/events}. The access token travels in the body, never
 * in the URL: URLs end up in logs, proxies and {@code Response.toString()}.
 *
 * <p>Streams straight to bytes rather than building a tree first: a full batch is a thousand events and about
 * a megabyte, written again for every half a bisection sends, and a tree per event doubled the allocation of
 * the sending threads for nothing. Only the fields passed through from the message ({@code custom_data} and
 * the unknown ones) are trees already, and are written as they are.
 */
final class MetaRequestWriter {

    /** A typical event is well under a kilobyte once hashed; starting near the final size avoids regrowing. */
    private static final int ESTIMATED_BYTES_PER_EVENT = 768;

    private final JsonMapper mapper;

    MetaRequestWriter(JsonMapper mapper) {
        this.mapper = mapper;
    }

    byte[] write(PixelBatch batch, MetaCredentials credentials) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + batch.events().size() * ESTIMATED_BYTES_PER_EVENT);
        try (JsonGenerator json = mapper.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeArrayPropertyStart("data");
            for (ServerEvent event : batch.events()) {
                writeEvent(json, event);
            }
            json.writeEndArray();
            json.writeStringProperty("access_token", credentials.accessToken());
            if (credentials.appSecret() != null) {
                json.writeStringProperty("appsecret_proof",
                        AppSecretProof.of(credentials.appSecret(), credentials.accessToken()));
            }
            if (batch.testEventCode() != null) {
                json.writeStringProperty("test_event_code", batch.testEventCode());
            }
            json.writeEndObject();
        }
        return bytes.toByteArray();
    }

    private static void writeEvent(JsonGenerator json, ServerEvent event) {
        json.writeStartObject();
        writeIfPresent(json, "event_name", event.eventName());
        if (event.eventTime() != null) {
            json.writeNumberProperty("event_time", event.eventTime().longValue());
        }
        writeIfPresent(json, "event_id", event.eventId());
        writeIfPresent(json, "action_source", event.actionSource());
        writeIfPresent(json, "event_source_url", event.eventSourceUrl());
        json.writeName("user_data");
        writeUserData(json, event.userData());
        if (event.customData() != null) {
            json.writeName("custom_data");
            json.writeTree(event.customData());
        }
        writeTrees(json, event.otherFields());
        json.writeEndObject();
    }

    private static void writeUserData(JsonGenerator json, UserData userData) {
        json.writeStartObject();
        for (Map.Entry<String, List<String>> field : userData.customerInformation().entrySet()) {
            json.writeArrayPropertyStart(field.getKey());
            for (String hash : field.getValue()) {
                json.writeString(hash);
            }
            json.writeEndArray();
        }
        writeTrees(json, userData.otherFields());
        json.writeEndObject();
    }

    private static void writeTrees(JsonGenerator json, Map<String, JsonNode> fields) {
        for (Map.Entry<String, JsonNode> field : fields.entrySet()) {
            json.writeName(field.getKey());
            json.writeTree(field.getValue());
        }
    }

    private static void writeIfPresent(JsonGenerator json, String name, String value) {
        if (value != null) {
            json.writeStringProperty(name, value);
        }
    }
}
