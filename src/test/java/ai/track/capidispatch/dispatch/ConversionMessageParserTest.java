package ai.track.capidispatch.dispatch;

import static ai.track.capidispatch.support.AwsEnvelopes.eventBridge;
import static ai.track.capidispatch.support.AwsEnvelopes.sns;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ConversionMessageParserTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long EVENT_TIME = 1_764_288_000L;
    /** A contract body without {@code event_id}, so that the worker derives one. */
    private static final String RAW = """
            {"pixel_id": "123456789012345", "test_event_code": "TEST1",
             "event": {"event_name": "Purchase", "event_time": %d, "action_source": "website",
               "event_source_url": "https://shop.example.com/done",
               "user_data": {"em": ["Joe.Doe@Example.com"], "zp": 94025, "client_user_agent": "Mozilla/5.0",
                             "fbp": "fb.1.1764287000000.123456789"},
               "custom_data": {"value": 49.99, "currency": "USD"}}}
            """.formatted(EVENT_TIME);

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

    }

    @Nested
    class Envelopes {

        @Test
        void readsTheBodyAnSnsNotificationCarriesInItsMessageString() {
            assertThat(parsed(sns(RAW))).isEqualTo(parsed(RAW));
        }

        @Test
        void readsTheBodyAnEventBridgeEventCarriesInItsDetail() {
            assertThat(parsed(eventBridge(RAW))).isEqualTo(parsed(RAW));
        }

        @Test
        void derivesTheSameEventIdForAnEnvelopedBodyAsForTheRawBody() {
            // A redelivery by another path (SNS today, EventBridge or a resend tomorrow) must deduplicate at Meta.
            EventPreparer preparer = new EventPreparer(parser,
                    new EventValidator(Clock.fixed(Instant.ofEpochSecond(EVENT_TIME + 60), ZoneOffset.UTC),
                            Duration.ofMinutes(10)),
                    new EventIdGenerator(), new UserDataNormalizer(Clock.systemUTC()));

            PreparedMessage.Ready raw = ready(preparer.prepare(RAW));

            assertThat(raw.event().eventId()).startsWith("capi-");
            assertThat(ready(preparer.prepare(sns(RAW)))).isEqualTo(raw);
            assertThat(ready(preparer.prepare(eventBridge(RAW)))).isEqualTo(raw);
        }

        @Test
        void takesABodyWithEventForARawBodyEvenWithFieldsNamedAsAnEnvelopes() {
            ParseResult result = parser.parse("""
                    {"Type": "Notification", "TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "{}",
                     "detail-type": "Conversion", "source": "shop", "detail": {},
                     "event": {"event_name": "Lead"}}""");

            assertThat(result).isInstanceOfSatisfying(ParseResult.Parsed.class,
                    parsed -> assertThat(parsed.message().event().eventName()).isEqualTo("Lead"));
        }

        @Test
        void takesABodyWithAnSnsTypeOfItsOwnButNothingElseOfAnEnvelopeForARawBody() {
            assertThat(reason("{\"Type\": \"Notification\"}")).isEqualTo("event is missing");
            assertThat(reason("{\"Type\": \"Purchase\", \"Message\": \"hi\"}")).isEqualTo("event is missing");
            assertThat(reason("{\"source\": \"shop\"}")).isEqualTo("event is missing");
        }

        @Test
        void limitsTheBodyInAnSnsMessageTo64KibBecauseItTravelsAsOneString() {
            String note = "n".repeat(40 * 1024);
            String large = RAW.replace("\"USD\"}", "\"USD\", \"note\": \"" + note + "\", \"more\": \"" + note + "\"}");

            assertThat(parser.parse(large)).as("raw: each string is under the limit")
                    .isInstanceOf(ParseResult.Parsed.class);
            assertThat(parser.parse(eventBridge(large))).isInstanceOf(ParseResult.Parsed.class);
            assertThat(reason(sns(large))).startsWith("body is not valid JSON or exceeds a parser limit");
        }
    }

    @Nested
    class RejectsMalformedEnvelopes {

        @Test
        void anSnsNotificationWithoutMessage() {
            assertThat(reason("""
                    {"Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}"""))
                    .isEqualTo("SNS envelope: Message is missing");
        }

        @Test
        void anSnsMessageThatIsAnObjectRatherThanAString() {
            assertThat(reason("{\"Type\": \"Notification\", \"TopicArn\": \"arn:aws:sns:us-east-1:123456789012:t\", "
                    + "\"Message\": " + RAW + "}"))
                    .isEqualTo("SNS envelope: Message must be a string holding the body as JSON");
        }

        @Test
        void anSnsMessageThatIsNotJsonWithoutQuotingIt() {
            assertThat(reason(sns("em=joe@example.com&event=Purchase")))
                    .startsWith("SNS envelope: Message is not valid JSON or exceeds a parser limit (line 1, column")
                    .doesNotContain("joe@example.com");
        }

        @Test
        void anSnsMessageThatIsJsonButNotAnObject() {
            assertThat(reason(sns("[\"joe@example.com\"]"))).isEqualTo("SNS envelope: Message must be a JSON object");
        }

        @Test
        void anEmptySnsMessage() {
            assertThat(reason(sns(" "))).isEqualTo("SNS envelope: Message is empty");
        }

        @Test
        void anSnsMessageWithALoneSurrogateAsNotUtf8() {
            // Valid as the envelope's JSON (an escape), but the body it decodes to would be refused raw.
            String escapedLoneSurrogate = "\\" + "ud800";
            assertThat(reason("{\"Type\": \"Notification\", \"TopicArn\": \"arn:aws:sns:us-east-1:123456789012:t\", "
                    + "\"Message\": \"{\\\"event\\\": {\\\"event_name\\\": \\\"Purchase" + escapedLoneSurrogate
                    + "\\\"}}\"}"))
                    .isEqualTo("SNS envelope: Message is not valid UTF-8 text");
        }

        @Test
        void anSnsMessageWithoutEvent() {
            assertThat(reason(sns("{\"pixel_id\": \"1\"}"))).isEqualTo("SNS envelope: Message.event is missing");
        }

        @Test
        void anSnsMessageWithAFieldOfTheWrongTypeNamingItsPath() {
            assertThat(reason(sns("{\"event\": {\"user_data\": {\"em\": [\"joe@example.com\", 5.5]}}}")))
                    .isEqualTo("SNS envelope: Message.event.user_data.em[1] must be a string or a list of strings");
        }

        @Test
        void anSnsSubscriptionConfirmation() {
            assertThat(reason("""
                    {"Type": "SubscriptionConfirmation", "MessageId": "m-1", "Token": "t0k3n",
                     "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                     "Message": "You have chosen to subscribe to the topic ...",
                     "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"}"""))
                    .isEqualTo("SNS envelope: Type is SubscriptionConfirmation, not Notification; "
                            + "it carries no conversion");
        }

        @Test
        void anEnvelopeInsideAnEnvelope() {
            assertThat(reason(sns(eventBridge(RAW))))
                    .isEqualTo("SNS envelope: Message is itself an envelope; only one envelope is unwrapped");
        }

        @Test
        void anEventBridgeEventWithoutDetail() {
            assertThat(reason("""
                    {"version": "0", "id": "e-1", "detail-type": "Conversion", "source": "shop.checkout",
                     "account": "123456789012", "time": "2025-11-28T00:00:00Z", "region": "us-east-1",
                     "resources": []}"""))
                    .isEqualTo("EventBridge envelope: detail is missing");
        }

        @Test
        void anEventBridgeDetailThatIsAString() {
            assertThat(reason(eventBridge(JSON.writeValueAsString(RAW))))
                    .isEqualTo("EventBridge envelope: detail must be a JSON object");
        }

        @Test
        void anEventBridgeDetailWithoutEvent() {
            assertThat(reason(eventBridge("{\"pixel_id\": \"1\"}"))).isEqualTo("EventBridge envelope: detail.event is missing");
        }

        @Test
        void anEventBridgeDetailWithAFieldOfTheWrongType() {
            assertThat(reason(eventBridge("{\"event\": {\"event_time\": \"yesterday\"}}")))
                    .isEqualTo("EventBridge envelope: detail.event.event_time must be an integer (unix seconds)");
        }
    }

    private ConversionMessage parsed(String body) {
        ParseResult result = parser.parse(body);
        assertThat(result).isInstanceOf(ParseResult.Parsed.class);
        return ((ParseResult.Parsed) result).message();
    }

    private String reason(String body) {
        ParseResult result = parser.parse(body);
        assertThat(result).isInstanceOf(ParseResult.Rejected.class);
        return ((ParseResult.Rejected) result).reason();
    }

    private static PreparedMessage.Ready ready(PreparedMessage prepared) {
        assertThat(prepared).isInstanceOf(PreparedMessage.Ready.class);
        return (PreparedMessage.Ready) prepared;
    }
}
