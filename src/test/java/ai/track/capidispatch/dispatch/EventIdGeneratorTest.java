package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class EventIdGeneratorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PIXEL = "1234567890";

    private final EventIdGenerator generator = new EventIdGenerator();

    @Test
    void derivesTheSameIdForTheSameContent() {
        assertThat(generator.deriveEventId(PIXEL, purchase())).isEqualTo(generator.deriveEventId(PIXEL, purchase()));
    }

    @Test
    void derivesTheSameIdOnAnotherInstance() {
        // Redeliveries may land on another worker: nothing per-instance may leak into the id.
        assertThat(new EventIdGenerator().deriveEventId(PIXEL, purchase()))
                .isEqualTo(generator.deriveEventId(PIXEL, purchase()));
    }

    @Test
    void writesCapiPrefixAnd32LowercaseHexCharacters() {
        assertThat(generator.deriveEventId(PIXEL, purchase())).matches("capi-[0-9a-f]{32}");
    }

    @Test
    void ignoresJsonPropertyOrderAtEveryLevel() {
        ObjectNode customData = object("""
                {"currency":"EUR","value":42.5,"contents":[{"id":"sku-1","quantity":2},{"id":"sku-2","quantity":1}],
                 "extra":{"a":1,"b":{"c":true,"d":null}}}""");
        ObjectNode reordered = object("""
                {"extra":{"b":{"d":null,"c":true},"a":1},"contents":[{"quantity":2,"id":"sku-1"},{"quantity":1,"id":"sku-2"}],
                 "value":42.5,"currency":"EUR"}""");

        Map<String, List<String>> info = new LinkedHashMap<>();
        info.put("em", List.of("a@x.com"));
        info.put("ph", List.of("+16505551212"));
        Map<String, List<String>> infoReordered = new LinkedHashMap<>();
        infoReordered.put("ph", List.of("+16505551212"));
        infoReordered.put("em", List.of("a@x.com"));

        Map<String, JsonNode> other = new LinkedHashMap<>();
        other.put("fbp", text("fb.1.1558571054389.1098115397"));
        other.put("client_ip_address", text("203.0.113.7"));
        Map<String, JsonNode> otherReordered = new LinkedHashMap<>();
        otherReordered.put("client_ip_address", text("203.0.113.7"));
        otherReordered.put("fbp", text("fb.1.1558571054389.1098115397"));

        ServerEvent one = event(new UserData(info, other), customData);
        ServerEvent two = event(new UserData(infoReordered, otherReordered), reordered);

        assertThat(generator.deriveEventId(PIXEL, one)).isEqualTo(generator.deriveEventId(PIXEL, two));
    }

    @Test
    void treatsNumbersOfEqualValueAsEqual() {
        ServerEvent integral = event(purchase().userData(), object("{\"value\":10}"));
        ServerEvent decimal = event(purchase().userData(), object("{\"value\":10.00}"));
        assertThat(generator.deriveEventId(PIXEL, integral)).isEqualTo(generator.deriveEventId(PIXEL, decimal));
    }

    @Test
    void doesNotDependOnTheEventIdItReplaces() {
        ServerEvent event = purchase();
        assertThat(generator.deriveEventId(PIXEL, event.withEventId("producer-id")))
                .isEqualTo(generator.deriveEventId(PIXEL, event));
    }

    @Test
    void ignoresProcessingFlagsOutsideTheEventsIdentity() {
        ServerEvent base = purchase();
        ServerEvent withFlags = new ServerEvent(base.eventName(), base.eventTime(), base.eventId(), base.actionSource(),
                base.eventSourceUrl(), base.userData(), base.customData(),
                Map.of("opt_out", JsonNodeFactory.instance.booleanNode(false)));
        assertThat(generator.deriveEventId(PIXEL, withFlags)).isEqualTo(generator.deriveEventId(PIXEL, base));
    }

    @Test
    void derivesADifferentIdForAnotherPixel() {
        assertThat(generator.deriveEventId("999", purchase())).isNotEqualTo(generator.deriveEventId(PIXEL, purchase()));
        assertThat(generator.deriveEventId(null, purchase())).isNotEqualTo(generator.deriveEventId("", purchase()));
        assertThat(generator.deriveEventId(null, purchase())).isNotEqualTo(generator.deriveEventId("null", purchase()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void derivesADifferentIdWhenAnyIdentifyingFieldChanges(String change, UnaryOperator<ServerEvent> mutation) {
        ServerEvent base = purchase();
        assertThat(generator.deriveEventId(PIXEL, mutation.apply(base)))
                .isNotEqualTo(generator.deriveEventId(PIXEL, base));
    }

    static Stream<Arguments> changes() {
        return Stream.of(
                change("event_name", e -> new ServerEvent("AddToCart", e.eventTime(), e.eventId(), e.actionSource(),
                        e.eventSourceUrl(), e.userData(), e.customData(), e.otherFields())),
                change("event_time by one second", e -> new ServerEvent(e.eventName(), e.eventTime() + 1, e.eventId(),
                        e.actionSource(), e.eventSourceUrl(), e.userData(), e.customData(), e.otherFields())),
                change("event_time missing", e -> new ServerEvent(e.eventName(), null, e.eventId(),
                        e.actionSource(), e.eventSourceUrl(), e.userData(), e.customData(), e.otherFields())),
                change("action_source", e -> new ServerEvent(e.eventName(), e.eventTime(), e.eventId(), "app",
                        e.eventSourceUrl(), e.userData(), e.customData(), e.otherFields())),
                change("event_source_url", e -> new ServerEvent(e.eventName(), e.eventTime(), e.eventId(),
                        e.actionSource(), "https://shop.example/thanks?o=2", e.userData(), e.customData(),
                        e.otherFields())),
                change("a customer information value", e -> withInfo(e, Map.of("em", List.of("b@x.com"),
                        "ph", List.of("+16505551212")))),
                change("the order of customer information values", e -> withInfo(e, Map.of(
                        "em", List.of("second@x.com", "a@x.com"), "ph", List.of("+16505551212")))),
                change("where values split", e -> withInfo(e, Map.of("em", List.of("a@x.co", "m"),
                        "ph", List.of("+16505551212")))),
                change("the same value under another field", e -> withInfo(e, Map.of("em", List.of("a@x.com"),
                        "fn", List.of("+16505551212")))),
                change("an added customer information field", e -> withInfo(e, Map.of("em", List.of("a@x.com"),
                        "ph", List.of("+16505551212"), "country", List.of("us")))),
                change("another user_data field", e -> e.withUserData(new UserData(
                        e.userData().customerInformation(), Map.of("fbp", text("fb.1.1558571054389.1098115398"))))),
                change("an added user_data field", e -> e.withUserData(new UserData(
                        e.userData().customerInformation(), Map.of("fbp", text("fb.1.1558571054389.1098115397"),
                                "client_ip_address", text("203.0.113.7"))))),
                change("custom_data value", e -> event(e.userData(), object("{\"currency\":\"EUR\",\"value\":43}"))),
                change("custom_data value as a string", e -> event(e.userData(),
                        object("{\"currency\":\"EUR\",\"value\":\"42.5\"}"))),
                change("custom_data nested", e -> event(e.userData(), object(
                        "{\"currency\":\"EUR\",\"value\":42.5,\"contents\":[{\"id\":\"sku-2\"}]}"))),
                change("custom_data missing", e -> event(e.userData(), null)));
    }

    private static Arguments change(String name, UnaryOperator<ServerEvent> mutation) {
        return Arguments.of(name, mutation);
    }

    private static ServerEvent purchase() {
        Map<String, List<String>> info = new LinkedHashMap<>();
        info.put("em", List.of("a@x.com"));
        info.put("ph", List.of("+16505551212"));
        UserData userData = new UserData(info, Map.of("fbp", text("fb.1.1558571054389.1098115397")));
        return event(userData, object("{\"currency\":\"EUR\",\"value\":42.5}"));
    }

    private static ServerEvent event(UserData userData, ObjectNode customData) {
        return new ServerEvent("Purchase", 1_790_000_000L, null, "website", "https://shop.example/thanks?o=1",
                userData, customData, Map.of());
    }

    private static ServerEvent withInfo(ServerEvent event, Map<String, List<String>> info) {
        return event.withUserData(new UserData(new LinkedHashMap<>(info), event.userData().otherFields()));
    }

    private static ObjectNode object(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    private static JsonNode text(String value) {
        return JsonNodeFactory.instance.stringNode(value);
    }
}
