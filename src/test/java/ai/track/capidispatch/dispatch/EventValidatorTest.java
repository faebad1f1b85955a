package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class EventValidatorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.ofEpochSecond(1_764_288_000L);
    private static final Duration SKEW = Duration.ofMinutes(10);
    private static final long DAY = Duration.ofDays(1).toSeconds();

    // Customer data used in the events below: no reason may ever contain any of it.
    private static final String EMAIL = "John_Smith@gmail.com";
    private static final String PHONE = "+1 (650) 555-1212";
    private static final String URL = "https://shop.example.com/checkout/done?email=john_smith%40gmail.com";
    private static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64)";
    private static final String IP = "203.0.113.7";

    private final EventValidator validator = new EventValidator(Clock.fixed(NOW, ZoneOffset.UTC), SKEW);
    private final ConversionMessageParser parser = new ConversionMessageParser();

    @Test
    void acceptsWebsitePurchase() {
        assertThat(validate(websitePurchase())).isEmpty();
    }

    @Test
    void acceptsLeadWithExternalIdOnly() {
        assertThat(validate(lead())).isEmpty();
    }

    @Test
    void acceptsPhysicalStoreEventThirtyDaysOld() {
        assertThat(validate(physicalStore(NOW.getEpochSecond() - 30 * DAY))).isEmpty();
    }

    @Test
    void acceptsPhysicalStoreEventExactlySixtyTwoDaysOld() {
        assertThat(validate(physicalStore(NOW.getEpochSecond() - 62 * DAY))).isEmpty();
    }

    @Test
    void acceptsEventExactlySevenDaysOld() {
        assertThat(validate(with(websitePurchase(), e -> e.put("event_time", NOW.getEpochSecond() - 7 * DAY))))
                .isEmpty();
    }

    @Test
    void acceptsEventAsFarInTheFutureAsTheAllowedSkew() {
        assertThat(validate(with(lead(), e -> e.put("event_time", NOW.getEpochSecond() + SKEW.toSeconds()))))
                .isEmpty();
    }

    @Test
    void acceptsMessageWithoutPixelIdAndTestEventCode() {
        ObjectNode message = websitePurchase();
        message.remove("pixel_id");
        message.remove("test_event_code");
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsPreHashedEmailAsOnlyCustomerInformation() {
        ObjectNode message = with(lead(), e -> e.putObject("user_data")
                .put("em", "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"));
        assertThat(validate(message)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fbc", "fbp", "subscription_id", "fb_login_id", "lead_id", "anon_id", "madid",
            "page_scoped_user_id", "ctwa_clid", "ig_sid"})
    void acceptsANonHashedMatchingIdentifierAsOnlyCustomerInformation(String field) {
        ObjectNode message = with(lead(), e -> e.putObject("user_data").put(field, "id-123"));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsNumericLeadId() {
        ObjectNode message = with(lead(), e -> e.putObject("user_data").put("lead_id", 1234567890123456L));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsIpAddressTogetherWithUserAgent() {
        ObjectNode message = with(lead(), e -> e.putObject("user_data")
                .put("client_ip_address", IP).put("client_user_agent", USER_AGENT));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsCurrencyInAnyCase() {
        ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).put("currency", "eur"));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsZeroValue() {
        ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).put("value", 0));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsCurrencyWithoutValue() {
        ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).remove("value"));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsLimitedDataUseWithGeolocation() {
        ObjectNode message = with(websitePurchase(), e -> {
            e.putArray("data_processing_options").add("LDU");
            e.put("data_processing_options_country", 0);
            e.put("data_processing_options_state", 0);
        });
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsEmptyDataProcessingOptions() {
        ObjectNode message = with(websitePurchase(), e -> e.putArray("data_processing_options"));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsAppEventWithoutAppData() {
        ObjectNode message = with(lead(), e -> e.put("action_source", "app"));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsAppEventWithAppDataObject() {
        ObjectNode message = with(lead(), e -> {
            e.put("action_source", "app");
            e.putObject("app_data").put("advertiser_tracking_enabled", 1);
        });
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void acceptsNullsAsAbsent() {
        ObjectNode message = with(lead(), e -> {
            e.putObject("custom_data").putNull("value").putNull("currency");
            e.putNull("data_processing_options");
            e.putNull("app_data");
        });
        assertThat(validate(message)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://shop.example.com", "HTTPS://shop.example.com/a?b={c}|d#frag ment",
            "https://user@shop.example.com:8443/done"})
    void acceptsAbsoluteHttpUrlsThatJavaNetUriWouldRefuse(String url) {
        ObjectNode message = with(websitePurchase(), e -> e.put("event_source_url", url));
        assertThat(validate(message)).isEmpty();
    }

    @Test
    void refusesANegativeFutureSkew() {
        assertThatThrownBy(() -> new EventValidator(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Nested
    class PixelAndTestEventCode {

        @ParameterizedTest
        @ValueSource(strings = {"12345abc", "", " 123", "123/../456", "١٢٣"})
        void deadLettersPixelIdThatIsNotDigits(String pixelId) {
            ObjectNode message = websitePurchase().put("pixel_id", pixelId);
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("pixel_id must be 1 to 20 digits");
        }

        @Test
        void deadLettersPixelIdLongerThanTwentyDigits() {
            ObjectNode message = websitePurchase().put("pixel_id", "1".repeat(21));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("pixel_id");
        }

        @Test
        void acceptsPixelIdOfTwentyDigits() {
            assertThat(validate(websitePurchase().put("pixel_id", "1".repeat(20)))).isEmpty();
        }

        @Test
        void deadLettersBlankTestEventCode() {
            ObjectNode message = websitePurchase().put("test_event_code", "  ");
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("test_event_code is blank");
        }

        @Test
        void deadLettersTestEventCodeLongerThan64Characters() {
            assertThat(validate(websitePurchase().put("test_event_code", "T".repeat(64)))).isEmpty();
            ObjectNode message = websitePurchase().put("test_event_code", "T".repeat(65));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("test_event_code is 65 characters long, over the limit of 64");
        }
    }

    @Nested
    class EventName {

        @Test
        void deadLettersEventWithoutEventName() {
            ObjectNode message = with(websitePurchase(), e -> e.remove("event_name"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("event.event_name is missing");
        }

        @Test
        void deadLettersBlankEventName() {
            ObjectNode message = with(websitePurchase(), e -> e.put("event_name", " \t"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("event.event_name is blank");
        }

        @Test
        void deadLettersEventNameLongerThan256Characters() {
            assertThat(validate(with(websitePurchase(), e -> e.put("event_name", "E".repeat(256))))).isEmpty();
            ObjectNode message = with(websitePurchase(), e -> e.put("event_name", "E".repeat(257)));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.event_name is 257 characters long, over the limit of 256");
        }
    }

    @Nested
    class EventTime {

        @Test
        void expiresEventOlderThanSevenDays() {
            ObjectNode message = with(websitePurchase(), e -> e.put("event_time", NOW.getEpochSecond() - 7 * DAY - 1));
            assertThat(deadLettered(message, ErrorClass.EXPIRED))
                    .contains("event.event_time is more than 7 days in the past");
        }

        @Test
        void expiresNonStoreEventThirtyDaysOld() {
            ObjectNode message = with(lead(), e -> e.put("event_time", NOW.getEpochSecond() - 30 * DAY));
            assertThat(deadLettered(message, ErrorClass.EXPIRED))
                    .contains("more than 7 days in the past (about 30 days)")
                    .contains("62 days for physical_store");
        }

        @Test
        void expiresPhysicalStoreEventOlderThanSixtyTwoDays() {
            ObjectNode message = physicalStore(NOW.getEpochSecond() - 62 * DAY - 1);
            assertThat(deadLettered(message, ErrorClass.EXPIRED))
                    .contains("more than 62 days in the past")
                    .contains("for physical_store events");
        }

        @Test
        void expiresEvenWhenTheEventHasOtherProblems() {
            ObjectNode message = with(websitePurchase(), e -> {
                e.put("event_time", NOW.getEpochSecond() - 8 * DAY);
                e.remove("event_name");
            });
            assertThat(deadLettered(message, ErrorClass.EXPIRED))
                    .contains("event.event_name is missing")
                    .contains("more than 7 days in the past");
        }

        @Test
        void deadLettersEventWithoutEventTime() {
            ObjectNode message = with(lead(), e -> e.remove("event_time"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("event.event_time is missing");
        }

        @Test
        void deadLettersMillisecondTimestamp() {
            ObjectNode message = with(lead(), e -> e.put("event_time", NOW.toEpochMilli()));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.event_time looks like milliseconds")
                    .doesNotContain("future");
        }

        @ParameterizedTest
        @ValueSource(longs = {0, -1, Long.MIN_VALUE})
        void deadLettersNonPositiveTimestamp(long eventTime) {
            ObjectNode message = with(lead(), e -> e.put("event_time", eventTime));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.event_time must be a positive number of unix seconds");
        }

        @Test
        void deadLettersEventFurtherInTheFutureThanTheAllowedSkew() {
            ObjectNode message = with(lead(), e -> e.put("event_time", NOW.getEpochSecond() + SKEW.toSeconds() + 1));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.event_time is about 10 minutes 1 second in the future, more than the 10 minutes allowed");
        }

        @Test
        void deadLettersEventHoursInTheFutureAsInvalid() {
            // A producer sending local time east of UTC: a bug to fix, not an event to expire.
            ObjectNode message = with(lead(), e -> e.put("event_time", NOW.getEpochSecond() + 3 * 3600));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("about 3 hours in the future");
        }
    }

    @Nested
    class ActionSource {

        @Test
        void deadLettersEventWithoutActionSource() {
            ObjectNode message = with(lead(), e -> e.remove("action_source"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.action_source is missing; it must be one of app, business_messaging, chat");
        }

        @Test
        void deadLettersUnknownActionSource() {
            ObjectNode message = with(lead(), e -> e.put("action_source", "foo"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.action_source 'foo' is not one of app, business_messaging, chat, email, other, "
                            + "phone_call, physical_store, system_generated, website");
        }

        @Test
        void suggestsLowercaseForCapitalizedActionSource() {
            ObjectNode message = with(lead(), e -> e.put("action_source", "System_Generated"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("(values are lowercase: use 'system_generated')");
        }

        @Test
        void doesNotQuoteAnActionSourceThatCouldBeCustomerData() {
            ObjectNode message = with(lead(), e -> e.put("action_source", EMAIL));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.action_source is not one of");
        }
    }

    @Nested
    class Website {

        @Test
        void deadLettersWebsiteEventWithoutUserAgent() {
            ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("user_data")).remove("client_user_agent"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.user_data.client_user_agent is required for website events");
        }

        @Test
        void deadLettersWebsiteEventWithBlankUserAgent() {
            ObjectNode message = with(websitePurchase(),
                    e -> ((ObjectNode) e.get("user_data")).put("client_user_agent", " "));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("client_user_agent");
        }

        @Test
        void deadLettersWebsiteEventWithUserAgentThatIsNotAString() {
            ObjectNode message = with(websitePurchase(),
                    e -> ((ObjectNode) e.get("user_data")).putArray("client_user_agent").add(USER_AGENT));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("client_user_agent");
        }

        @Test
        void deadLettersWebsiteEventWithoutEventSourceUrl() {
            ObjectNode message = with(websitePurchase(), e -> e.remove("event_source_url"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.event_source_url is required for website events");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/checkout/done?email=john_smith%40gmail.com", "shop.example.com/done",
                "ftp://shop.example.com/done", "https:///done", "https://?x=1", "https://user@/done",
                "https://shop example.com/done", "javascript:alert(1)"})
        void deadLettersWebsiteEventWithoutAbsoluteHttpUrl(String url) {
            ObjectNode message = with(websitePurchase(), e -> e.put("event_source_url", url));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.event_source_url must be an absolute http:// or https:// URL with a host")
                    .doesNotContain(url);
        }

        @Test
        void doesNotRequireWebsiteFieldsForOtherActionSources() {
            assertThat(validate(lead())).isEmpty();
        }
    }

    @Nested
    class CustomerInformation {

        @Test
        void deadLettersEventWithoutUserData() {
            ObjectNode message = with(lead(), e -> e.remove("user_data"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.user_data has nothing Meta can match a customer on")
                    .contains("client_ip_address together with client_user_agent");
        }

        @Test
        void deadLettersEventWhoseCustomerInformationIsBlank() {
            ObjectNode message = with(lead(), e -> {
                ObjectNode userData = e.putObject("user_data");
                userData.put("em", " ");
                userData.putArray("ph").add("").add("  ");
                userData.put("fbp", "");
            });
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("event.user_data has nothing");
        }

        @Test
        void deadLettersEventWithIpAddressButNoUserAgent() {
            ObjectNode message = with(lead(), e -> e.putObject("user_data").put("client_ip_address", IP));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("event.user_data has nothing");
        }

        @Test
        void doesNotCountPageIdAsCustomerInformation() {
            ObjectNode message = with(lead(), e -> e.putObject("user_data").put("page_id", "1234"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("event.user_data has nothing");
        }
    }

    @Nested
    class CustomData {

        @Test
        void deadLettersValueSentAsString() {
            ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).put("value", "49.99"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.custom_data.value must be a JSON number, not a string");
        }

        @Test
        void deadLettersValueThatIsNotANumber() {
            ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).put("value", true));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.custom_data.value must be a JSON number");
        }

        @Test
        void deadLettersNegativeValue() {
            ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).put("value", -0.01));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.custom_data.value must not be negative");
        }

        @Test
        void deadLettersValueWithoutCurrency() {
            ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).remove("currency"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.custom_data.currency is required when value is present");
        }

        @Test
        void deadLettersUnknownCurrencyAndSuggestsUppercase() {
            ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).put("currency", "XYZ"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.custom_data.currency 'XYZ' is not an ISO 4217 currency code")
                    .contains("uppercase, such as USD");
        }

        @Test
        void deadLettersCurrencyThatIsNotAString() {
            ObjectNode message = with(websitePurchase(), e -> ((ObjectNode) e.get("custom_data")).put("currency", 840));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.custom_data.currency is not an ISO 4217 currency code");
        }
    }

    @Nested
    class DataProcessingOptions {

        @Test
        void deadLettersDataProcessingOptionsThatAreNotAnArray() {
            ObjectNode message = with(websitePurchase(), e -> e.put("data_processing_options", "LDU"));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.data_processing_options must be an array");
        }

        @Test
        void deadLettersDataProcessingOptionsOtherThanLdu() {
            ObjectNode message = with(websitePurchase(), e -> e.putArray("data_processing_options").add("LDU").add(1));
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.data_processing_options may only hold the string \"LDU\"");
        }

        @Test
        void deadLettersDataProcessingCountryAndStateThatAreNotIntegers() {
            ObjectNode message = with(websitePurchase(), e -> {
                e.putArray("data_processing_options").add("LDU");
                e.put("data_processing_options_country", "1");
                e.put("data_processing_options_state", 1000.5);
            });
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT))
                    .contains("event.data_processing_options_country must be an integer")
                    .contains("event.data_processing_options_state must be an integer");
        }
    }

    @Nested
    class AppData {

        @Test
        void deadLettersAppDataThatIsNotAnObject() {
            ObjectNode message = with(lead(), e -> {
                e.put("action_source", "app");
                e.putArray("app_data").add("a2");
            });
            assertThat(deadLettered(message, ErrorClass.INVALID_EVENT)).contains("event.app_data must be a JSON object");
        }
    }

    @Nested
    class Reporting {

        @Test
        void reportsEveryProblemOfTheEventInOneReason() {
            ObjectNode message = with(websitePurchase(), e -> {
                e.remove("event_name");
                e.put("action_source", "foo");
                ((ObjectNode) e.get("custom_data")).put("value", "49.99");
            });
            message.put("pixel_id", "abc");

            String reason = deadLettered(message, ErrorClass.INVALID_EVENT);

            assertThat(reason).isEqualTo("pixel_id must be 1 to 20 digits (the numeric id of a Meta pixel or dataset), "
                    + "or left out to use the default pixel; event.event_name is missing (e.g. Purchase, Lead, or a "
                    + "custom event name); event.action_source 'foo' is not one of app, business_messaging, chat, "
                    + "email, other, phone_call, physical_store, system_generated, website; event.custom_data.value "
                    + "must be a JSON number, not a string (send 49.99, not \"49.99\")");
        }

        @Test
        void neverEchoesCustomerDataOrUrls() {
            // Every rule broken at once, with customer data in every field a careless reason could quote.
            ObjectNode message = with(websitePurchase(), e -> {
                e.put("event_name", EMAIL.repeat(20));
                e.put("event_time", NOW.getEpochSecond() - 8 * DAY);
                e.put("action_source", EMAIL);
                e.put("event_source_url", "www.example.com/?em=" + EMAIL);
                ObjectNode customData = (ObjectNode) e.get("custom_data");
                customData.put("value", PHONE);
                customData.put("currency", EMAIL);
                e.put("data_processing_options", EMAIL);
                e.put("app_data", PHONE);
            });
            message.put("pixel_id", PHONE);
            message.put("test_event_code", EMAIL.repeat(5));

            String reason = deadLettered(message, ErrorClass.EXPIRED);

            assertThat(reason).doesNotContainIgnoringCase("john").doesNotContain("555").doesNotContain("example.com");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private Optional<EventValidator.Violation> validate(ObjectNode message) {
        ParseResult parsed = parser.parse(JSON.writeValueAsString(message));
        assertThat(parsed).as("the test's message must parse").isInstanceOf(ParseResult.Parsed.class);
        return validator.validate(((ParseResult.Parsed) parsed).message());
    }

    /** Asserts the class, and that no customer data used in these tests appears in the reason; returns it. */
    private String deadLettered(ObjectNode message, ErrorClass expected) {
        Optional<EventValidator.Violation> violation = validate(message);
        assertThat(violation).as("violation").isPresent();
        assertThat(violation.get().errorClass()).as("error class, reason: " + violation.get().reason())
                .isEqualTo(expected);
        String reason = violation.get().reason();
        assertThat(reason).doesNotContain(EMAIL, EMAIL.toLowerCase(), PHONE, "6505551212", URL, "shop.example.com",
                "john_smith", USER_AGENT, IP);
        return reason;
    }

    private static ObjectNode with(ObjectNode message, Consumer<ObjectNode> change) {
        change.accept((ObjectNode) message.get("event"));
        return message;
    }

    private static ObjectNode websitePurchase() {
        return object("""
                {"pixel_id": "123456789012345", "test_event_code": "TEST12345",
                 "event": {"event_name": "Purchase", "event_time": %d, "event_id": "order-8812",
                   "action_source": "website", "event_source_url": "%s",
                   "user_data": {"em": ["%s"], "ph": "%s", "client_ip_address": "%s", "client_user_agent": "%s",
                                 "fbp": "fb.1.1764287000000.123456789"},
                   "custom_data": {"value": 49.99, "currency": "USD", "content_ids": ["sku-1"]}}}
                """.formatted(NOW.getEpochSecond() - 60, URL, EMAIL, PHONE, IP, USER_AGENT));
    }

    private static ObjectNode lead() {
        return object("""
                {"event": {"event_name": "Lead", "event_time": %d, "action_source": "system_generated",
                   "user_data": {"external_id": "crm-42"}}}
                """.formatted(NOW.getEpochSecond() - 5));
    }

    private static ObjectNode physicalStore(long eventTime) {
        return object("""
                {"pixel_id": "123456789012345",
                 "event": {"event_name": "Purchase", "event_time": %d, "event_id": "pos-2025-0001",
                   "action_source": "physical_store",
                   "user_data": {"em": "%s", "ph": ["%s"], "country": "us"},
                   "custom_data": {"value": 120.0, "currency": "USD"}}}
                """.formatted(eventTime, EMAIL, PHONE));
    }

    private static ObjectNode object(String json) {
        return (ObjectNode) JSON.readTree(json);
    }
}
