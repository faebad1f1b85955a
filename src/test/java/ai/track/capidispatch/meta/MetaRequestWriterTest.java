package ai.track.capidispatch.meta;

import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.credentials.MetaCredentials;
import ai.track.capidispatch.dispatch.PixelBatch;
import ai.track.capidispatch.dispatch.ServerEvent;
import ai.track.capidispatch.dispatch.UserData;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class MetaRequestWriterTest {

    private static final String EMAIL_HASH = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f";

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final MetaRequestWriter writer = new MetaRequestWriter(mapper);

    @Test
    void writesMetasBodyWithEveryFieldInPlaceAndPassThroughFieldsUntouched() {
        Map<String, List<String>> customerInformation = new LinkedHashMap<>();
        customerInformation.put("em", List.of(EMAIL_HASH));
        customerInformation.put("ph", List.of("a".repeat(64), "b".repeat(64)));
        Map<String, JsonNode> userOther = new LinkedHashMap<>();
        userOther.put("client_ip_address", mapper.getNodeFactory().stringNode("203.0.113.7"));
        userOther.put("fbp", mapper.getNodeFactory().stringNode("fb.1.1764287000000.123456789"));
        Map<String, JsonNode> eventOther = new LinkedHashMap<>();
        eventOther.put("opt_out", mapper.getNodeFactory().booleanNode(false));
        eventOther.put("data_processing_options", mapper.readTree("[\"LDU\"]"));
        eventOther.put("data_processing_options_country", mapper.getNodeFactory().numberNode(1));
        ObjectNode customData = (ObjectNode) mapper.readTree(
                "{\"value\": 49.99, \"currency\": \"USD\", \"contents\": [{\"id\": \"sku-1\", \"quantity\": 2}],"
                        + " \"note\": \"caf\\u00e9 \\\"quoted\\\" \\u2713\"}");
        ServerEvent full = new ServerEvent("Purchase", 1764288000L, "order-8812", "website",
                "https://shop.example.com/checkout?step=done&x=1", new UserData(customerInformation, userOther),
                customData, eventOther);
        ServerEvent minimal = new ServerEvent("Lead", null, "capi-0123", null, null,
                new UserData(Map.of(), Map.of()), null, Map.of());

        byte[] body = writer.write(new PixelBatch("123456789012345", "TEST123", List.of(full, minimal)),
                new MetaCredentials("123456789012345", "EAAB-token", "app-secret"));

        String text = new String(body, StandardCharsets.UTF_8);
        assertThat(mapper.readTree(body)).isEqualTo(mapper.readTree("""
                {"data": [
                  {"event_name": "Purchase", "event_time": 1764288000, "event_id": "order-8812",
                   "action_source": "website", "event_source_url": "https://shop.example.com/checkout?step=done&x=1",
                   "user_data": {"em": ["%s"], "ph": ["%s", "%s"],
                                 "client_ip_address": "203.0.113.7", "fbp": "fb.1.1764287000000.123456789"},
                   "custom_data": {"value": 49.99, "currency": "USD", "contents": [{"id": "sku-1", "quantity": 2}],
                                   "note": "caf\\u00e9 \\"quoted\\" \\u2713"},
                   "opt_out": false, "data_processing_options": ["LDU"], "data_processing_options_country": 1},
                  {"event_name": "Lead", "event_id": "capi-0123", "user_data": {}}],
                 "access_token": "EAAB-token",
                 "appsecret_proof": "%s",
                 "test_event_code": "TEST123"}
                """.formatted(EMAIL_HASH, "a".repeat(64), "b".repeat(64),
                AppSecretProof.of("app-secret", "EAAB-token"))));
        assertThat(text).as("the events come first, then the credentials, as Meta's own SDKs send them")
                .startsWith("{\"data\":[{\"event_name\":\"Purchase\",\"event_time\":1764288000,");
        assertThat(text).as("numbers stay numbers").contains("\"value\":49.99");
    }

    @Test
    void leavesOutTheProofWithoutAnAppSecretAndTheTestCodeWithoutOne() {
        ServerEvent event = new ServerEvent("Lead", 1764288000L, "capi-1", "website", null,
                new UserData(Map.of("em", List.of(EMAIL_HASH)), Map.of()), null, Map.of());

        JsonNode body = mapper.readTree(writer.write(new PixelBatch("1", null, List.of(event)),
                new MetaCredentials("1", "token", null)));

        assertThat(body.propertyNames()).containsExactly("data", "access_token");
    }
}
