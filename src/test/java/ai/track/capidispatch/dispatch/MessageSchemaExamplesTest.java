package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps {@code docs/} honest: the example messages must parse and validate, the guide must show them as they
 * are, and the JSON Schema must list what the parser and validator actually use. (The build has no JSON Schema
 * validator; the schema's own consistency is checked by reading it.)
 */
class MessageSchemaExamplesTest {

    private static final Path DOCS = Path.of("docs");
    /** The examples' {@code event_time}; the documentation says producers must use the real time instead. */
    private static final long EXAMPLE_EVENT_TIME = 1_764_288_000L;
    private static final Instant SHORTLY_AFTER = Instant.ofEpochSecond(EXAMPLE_EVENT_TIME + 60);

    private final ConversionMessageParser parser = new ConversionMessageParser();

    @ParameterizedTest
    @ValueSource(strings = {"website-purchase.json", "lead.json", "physical-store.json"})
    void exampleParsesAndValidates(String file) throws IOException {
        ConversionMessage message = parse(example(file));

        assertThat(message.event().eventTime()).isEqualTo(EXAMPLE_EVENT_TIME);
        assertThat(validatorAt(SHORTLY_AFTER).validate(message)).as(file).isEmpty();
    }

    @Test
    void physicalStoreExampleIsStillAcceptedThirtyDaysLaterAndTheWebsiteExampleIsNot() throws IOException {
        EventValidator monthLater = validatorAt(SHORTLY_AFTER.plus(Duration.ofDays(30)));

        assertThat(monthLater.validate(parse(example("physical-store.json")))).isEmpty();
        assertThat(monthLater.validate(parse(example("website-purchase.json"))))
                .hasValueSatisfying(violation -> assertThat(violation.errorClass()).isEqualTo(ErrorClass.EXPIRED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sns-envelope.json", "eventbridge-envelope.json"})
    void envelopeExampleCarriesTheLeadExample(String file) throws IOException {
        ConversionMessage message = parse(example(file));

        assertThat(message).isEqualTo(parse(example("lead.json")));
        assertThat(validatorAt(SHORTLY_AFTER).validate(message)).as(file).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"website-purchase.json", "lead.json", "physical-store.json", "sns-envelope.json",
            "eventbridge-envelope.json"})
    void guideShowsTheExampleFileVerbatim(String file) throws IOException {
        String guide = Files.readString(DOCS.resolve("message-format.md"), StandardCharsets.UTF_8);

        assertThat(guide).contains("```json\n" + example(file).strip() + "\n```");
    }

    @Test
    void schemaAcceptsTheRawMessageOrOneOfTheTwoEnvelopesAroundIt() throws IOException {
        JsonNode schema = schema();
        Set<String> alternatives = new HashSet<>();
        schema.path("oneOf").forEach(alternative -> alternatives.add(alternative.path("$ref").asString()));

        assertThat(alternatives).containsExactlyInAnyOrder("#/$defs/message", "#/$defs/snsEnvelope",
                "#/$defs/eventBridgeEnvelope");
        assertThat(strings(schema.at("/$defs/message/required"))).containsExactly("event");
        assertThat(schema.at("/$defs/snsEnvelope/properties/Message/contentSchema/$ref").asString())
                .isEqualTo("#/$defs/message");
        assertThat(schema.at("/$defs/eventBridgeEnvelope/properties/detail/$ref").asString())
                .isEqualTo("#/$defs/message");
        for (String envelope : List.of("snsEnvelope", "eventBridgeEnvelope")) {
            assertThat(strings(schema.at("/$defs/" + envelope + "/not/required"))).as(envelope + ": a body with "
                    + "event is the raw message, never an envelope").containsExactly("event");
        }
    }

    @Test
    void schemaRequiresWhatTheParserLooksForInEachEnvelope() throws IOException {
        JsonNode sns = schema().at("/$defs/snsEnvelope");
        JsonNode eventBridge = schema().at("/$defs/eventBridgeEnvelope");

        assertThat(strings(sns.path("required")))
                .containsExactlyInAnyOrder(EnvelopeUnwrapper.SNS_TYPE, EnvelopeUnwrapper.SNS_MESSAGE);
        assertThat(sns.at("/properties/" + EnvelopeUnwrapper.SNS_TYPE + "/const").asString())
                .isEqualTo(EnvelopeUnwrapper.SNS_NOTIFICATION);
        assertThat(sns.at("/properties/" + EnvelopeUnwrapper.SNS_TOPIC_ARN + "/type").asString()).isEqualTo("string");
        assertThat(strings(eventBridge.path("required"))).containsExactlyInAnyOrder(
                EnvelopeUnwrapper.EVENTBRIDGE_DETAIL_TYPE, EnvelopeUnwrapper.EVENTBRIDGE_SOURCE,
                EnvelopeUnwrapper.EVENTBRIDGE_DETAIL);
    }

    @Test
    void schemaListsTheActionSourcesTheValidatorAccepts() throws IOException {
        JsonNode actionSource = schema().at("/$defs/event/properties/action_source/enum");

        assertThat(strings(actionSource)).isEqualTo(EventValidator.ACTION_SOURCES);
    }

    @Test
    void schemaDeclaresEveryCustomerInformationFieldAsStringOrStrings() throws IOException {
        JsonNode properties = schema().at("/$defs/userData/properties");

        for (String field : UserData.CUSTOMER_INFORMATION_FIELDS) {
            assertThat(properties.path(field).path("$ref").asString()).as(field)
                    .isEqualTo("#/$defs/customerInformation");
        }
    }

    @Test
    void schemaRequiresTheSameMatchingFieldsAsTheValidator() throws IOException {
        Set<String> singleFields = new HashSet<>();
        Set<String> combinations = new HashSet<>();
        for (JsonNode alternative : schema().at("/$defs/userData/anyOf")) {
            Set<String> required = strings(alternative.path("required"));
            if (required.size() == 1) {
                singleFields.addAll(required);
            } else {
                combinations.add(String.join("+", new TreeSet<>(required)));
            }
        }
        Set<String> expected = new HashSet<>(UserData.CUSTOMER_INFORMATION_FIELDS);
        expected.addAll(EventValidator.MATCHING_IDENTIFIERS);

        assertThat(singleFields).isEqualTo(expected);
        assertThat(combinations).containsExactly("client_ip_address+client_user_agent");
    }

    @Test
    void schemaStatesTheValidatorsLimits() throws IOException {
        JsonNode schema = schema();

        assertThat(schema.at("/$defs/message/properties/pixel_id/pattern").asString())
                .isEqualTo("^[0-9]{1," + EventValidator.MAX_PIXEL_ID_LENGTH + "}$");
        assertThat(schema.at("/$defs/message/properties/test_event_code/maxLength").asInt())
                .isEqualTo(EventValidator.MAX_TEST_EVENT_CODE_LENGTH);
        assertThat(schema.at("/$defs/event/properties/event_name/maxLength").asInt())
                .isEqualTo(EventValidator.MAX_EVENT_NAME_LENGTH);
        assertThat(schema.at("/$defs/event/properties/event_time/maximum").asLong())
                .isEqualTo(EventValidator.MAX_PLAUSIBLE_SECONDS);
    }

    private ConversionMessage parse(String body) {
        ParseResult result = parser.parse(body);
        assertThat(result).isInstanceOf(ParseResult.Parsed.class);
        return ((ParseResult.Parsed) result).message();
    }

    private static EventValidator validatorAt(Instant now) {
        return new EventValidator(Clock.fixed(now, ZoneOffset.UTC), Duration.ofMinutes(10));
    }

    private static String example(String file) throws IOException {
        return Files.readString(DOCS.resolve("examples").resolve(file), StandardCharsets.UTF_8);
    }

    private static JsonNode schema() throws IOException {
        return JsonMapper.builder().build().readTree(
                Files.readString(DOCS.resolve("message.schema.json"), StandardCharsets.UTF_8));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new HashSet<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }
}
