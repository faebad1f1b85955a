package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ConversionMessageParserTest {

    private final ConversionMessageParser parser = new ConversionMessageParser();

    @Test
    void readsTheContractsExampleWithMetasFieldNames() {
        ParseResult result = parser.parse("""
                {"pixel_id": "123456789012345", "test_event_code": "TEST12345",
                 "event": {"event_name": "Purchase", "event_time": 1764288000, "event_id": "order-8812",
                   "action_source": "website", "event_source_url": "https://shop.example.com/checkout/done",
                   "opt_out": false, "data_processing_options": ["LDU"],
                   "user_data": {"em": ["Joe.Doe@Example.com"], "ph": "+1 (555) 123-4567", "zp": 94025,
                                 "client_ip_address": "203.0.113.7", "fbp": "fb.1.1764287000000.123456789"},
                   "custom_data": {"value": 49.99, "currency": "USD", "my_own_field": {"nested": true}}}}
                """);

        assertThat(result).isInstanceOf(ParseResult.Parsed.class);
        ConversionMessage message = ((ParseResult.Parsed) result).message();
        assertThat(message.pixelId()).isEqualTo("123456789012345");
        assertThat(message.testEventCode()).isEqualTo("TEST12345");
        ServerEvent event = message.event();
        assertThat(event.eventName()).isEqualTo("Purchase");
        assertThat(event.eventTime()).isEqualTo(1764288000L);
        assertThat(event.eventId()).isEqualTo("order-8812");
        assertThat(event.userData().customerInformation())
                .containsEntry("em", java.util.List.of("Joe.Doe@Example.com"))
                .containsEntry("ph", java.util.List.of("+1 (555) 123-4567"))
                .containsEntry("zp", java.util.List.of("94025"));
        assertThat(event.userData().otherFields()).containsOnlyKeys("client_ip_address", "fbp");
        assertThat(event.customData().get("my_own_field").get("nested").asBoolean())
                .as("unknown custom_data fields pass through").isTrue();
        assertThat(event.otherFields()).containsOnlyKeys("opt_out", "data_processing_options");
    }

    @Test
    void keepsQuestionMarksAndCharactersOutsideTheBasicPlane() {
        ParseResult result = parser.parse(
                "{\"event\": {\"event_name\": \"Why? \uD83D\uDE00 \u00e9?\", \"user_data\": {\"fn\": \"Zo\u00eb\"}}}");

        assertThat(result).isInstanceOf(ParseResult.Parsed.class);
        assertThat(((ParseResult.Parsed) result).message().event().eventName()).isEqualTo("Why? \uD83D\uDE00 \u00e9?");
    }

    @Nested
    class Rejects {

        @Test
        void aBodyThatIsNotJsonNamingOnlyWhereItBroke() {
            assertThat(reason("{\"event\": {\"event_name\": \"Purchase\", \"user_data\": {\"em\": \"a@b.c\"")) 
                    .startsWith("body is not valid JSON").doesNotContain("a@b.c");
        }

        @Test
        void aBodyOverOneMebibyte() {
            String padding = "x".repeat(ConversionMessageParser.MAX_BODY_BYTES);
            assertThat(reason("{\"event\": {\"event_name\": \"" + padding + "\"}}"))
                    .contains("over the limit of 1048576");
        }

        @Test
        void aBodyWithALoneSurrogateAsNotUtf8() {
            assertThat(reason("{\"event\": {\"event_name\": \"Purchase\uD800\"}}")).isEqualTo("body is not valid UTF-8 text");
        }

        @Test
        void aLoneSurrogateBesideRealQuestionMarks() {
            assertThat(reason("{\"event\": {\"event_name\": \"Why?\uDC00?\"}}")).isEqualTo("body is not valid UTF-8 text");
        }

        @Test
        void aBodyWithReplacementCharactersAsNotUtf8() {
            assertThat(reason("{\"event\": {\"event_name\": \"Purch\uFFFDse\"}}")).isEqualTo("body is not valid UTF-8 text");
        }

        @Test
        void jsonNestedDeeperThanTheLimit() {
            String deep = "[".repeat(100) + "]".repeat(100);
            assertThat(reason("{\"event\": {\"custom_data\": {\"x\": " + deep + "}}}")).startsWith("body is not valid JSON");
        }

        @Test
        void aBodyThatIsNotAnObject() {
            assertThat(reason("[1, 2]")).isEqualTo("body must be a JSON object");
        }

        @Test
        void aMissingEvent() {
            assertThat(reason("{\"pixel_id\": \"1\"}")).isEqualTo("event is missing");
        }

        @Test
        void eventTimeThatIsNotAnInteger() {
            assertThat(reason("{\"event\": {\"event_time\": \"1764288000\"}}"))
                    .isEqualTo("event.event_time must be an integer (unix seconds)");
        }

        @Test
        void aPixelIdThatIsNotAString() {
            assertThat(reason("{\"pixel_id\": 123, \"event\": {}}")).isEqualTo("pixel_id must be a string");
        }

        @Test
        void customerInformationThatIsNeitherStringNorList() {
            assertThat(reason("{\"event\": {\"user_data\": {\"em\": [\"a@b.c\", {\"x\": 1}]}}}"))
                    .isEqualTo("event.user_data.em[1] must be a string or a list of strings");
        }

        @Test
        void customDataThatIsNotAnObject() {
            assertThat(reason("{\"event\": {\"custom_data\": [1]}}")).isEqualTo("event.custom_data must be a JSON object");
        }

        @Test
        void anEmptyBody() {
            assertThat(reason("  ")).isEqualTo("body is empty");
        }

        private String reason(String body) {
            ParseResult result = parser.parse(body);
            assertThat(result).isInstanceOf(ParseResult.Rejected.class);
            return ((ParseResult.Rejected) result).reason();
        }
    }
}
