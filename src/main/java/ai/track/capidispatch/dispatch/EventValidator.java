package ai.track.capidispatch.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks a parsed message against the rules Meta enforces per event, so that an event Meta would reject is
 * dead-lettered with a precise reason instead of being sent (Meta rejects a whole request for one bad event,
 * notes §A3). The parser has already checked JSON types of the typed fields; this class decides what is
 * required and which values are acceptable.
 *
 * <p>Every problem of an event is reported at once, in one reason joined by {@code "; "}, so a producer fixes
 * them in one round. Reasons name fields and limits, never customer data: no {@code user_data} values, no
 * URLs (their query strings carry e-mail addresses often enough). Only short enum-like tokens
 * ({@code action_source}, {@code currency}) are quoted back.
 *
 * <p>Rules:
 * <ul>
 *   <li>{@code pixel_id}, when present: 1 to 20 ASCII digits (it becomes a URL path segment).
 *   <li>{@code test_event_code}, when present: not blank, at most 64 characters.
 *   <li>{@code event_name}: required, not blank, at most 256 characters.
 *   <li>{@code event_time}: required, positive unix seconds; values above 10<sup>11</sup> are taken for milliseconds and
 *       rejected; at most {@code maxFutureSkew} in the future; not older than 7 days, or 62 days for
 *       {@code physical_store} (older is {@link ErrorClass#EXPIRED}).
 *   <li>{@code action_source}: required, one of {@link #ACTION_SOURCES} (exact, lowercase).
 *   <li>{@code website} events: {@code event_source_url} is an absolute {@code http(s)} URL with a host, and
 *       {@code user_data.client_user_agent} is a non-blank string.
 *   <li>Customer information, which Meta needs to match the event to a person: at least one non-blank value
 *       among the contact fields ({@link UserData#CUSTOMER_INFORMATION_FIELDS}, raw or hashed), or a non-blank
 *       value of one of the {@link #MATCHING_IDENTIFIERS} ({@code fbc}, {@code fbp}, {@code lead_id}, ...),
 *       or {@code client_ip_address} <em>together with</em> {@code client_user_agent} (Meta does not match on
 *       an IP address alone). {@code page_id} and {@code ig_account_id} do not count: they name the business,
 *       not the customer. A value counts if it is a non-blank string, a number, or an array holding one.
 *   <li>{@code custom_data.value}, when present: a JSON number &ge; 0 (Meta documents a float; a numeric
 *       string is rejected rather than converted, because the worker forwards {@code custom_data} as
 *       received). With a {@code value}, {@code custom_data.currency} is required.
 *   <li>{@code custom_data.currency}, when present: an ISO 4217 code known to the JDK, in any case
 *       (Meta's own examples use {@code usd}); uppercase is what reasons suggest.
 *   <li>{@code data_processing_options}, when present: an array of strings, each {@code "LDU"} ({@code []}
 *       switches Limited Data Use off); {@code data_processing_options_country} and
 *       {@code data_processing_options_state}, when present: integers (notes §A8).
 *   <li>{@code app_data}, when present: a JSON object.
 * </ul>
 * A JSON {@code null} counts as absent, as it does for the parser.
 *
 * <p>Thread-safe and stateless besides its configuration.
 */
public final class EventValidator {

    /** Meta's {@code action_source} values (notes §A6). */
    public static final Set<String> ACTION_SOURCES = Set.of("email", "website", "app", "phone_call", "chat",
            "physical_store", "system_generated", "business_messaging", "other");

    /**
     * {@code user_data} fields that Meta matches on without hashing and that identify a customer on their own.
     * {@code client_ip_address} is not here: it counts only with {@code client_user_agent}.
     */
    public static final Set<String> MATCHING_IDENTIFIERS = Set.of("fbc", "fbp", "subscription_id", "fb_login_id",
            "lead_id", "anon_id", "madid", "page_scoped_user_id", "ctwa_clid", "ig_sid");

    /** Meta rejects the whole request when an event is older than this (notes §A3). */
    static final Duration MAX_AGE = Duration.ofDays(7);
    /** Meta's window for offline {@code physical_store} events (notes §A3). */
    static final Duration MAX_AGE_PHYSICAL_STORE = Duration.ofDays(62);
    /**
     * Unix seconds above this are year 5138 and later; a millisecond timestamp of any date after March 1973
     * is above it. So a larger value is a producer sending milliseconds, not an event from the far future.
     */
    static final long MAX_PLAUSIBLE_SECONDS = 100_000_000_000L;
    static final int MAX_PIXEL_ID_LENGTH = 20;
    static final int MAX_TEST_EVENT_CODE_LENGTH = 64;
    static final int MAX_EVENT_NAME_LENGTH = 256;

    private static final String ACTION_SOURCE_LIST = ACTION_SOURCES.stream().sorted()
            .collect(Collectors.joining(", "));
    private static final String CONTACT_FIELD_LIST = String.join(" ", "em", "ph", "fn", "ln", "ge", "db", "ct", "st",
            "zp", "country", "external_id");
    private static final String IDENTIFIER_LIST = MATCHING_IDENTIFIERS.stream().sorted()
            .collect(Collectors.joining(" "));
    private static final Pattern PIXEL_ID = Pattern.compile("[0-9]{1," + MAX_PIXEL_ID_LENGTH + "}");
    /**
     * Scheme, "://", then an authority with no whitespace, ending the URL or followed by a path, query or fragment;
     * matched from the start ({@code lookingAt}) so the rest of the URL, often longer than all of that, is not read.
     */
    private static final Pattern HTTP_URL = Pattern.compile("(?i)https?://([^/?#\\s]+)(?:[/?#]|\\z)");
    /**
     * Short identifier-like values, worth quoting back ('Website', 'XYZ'). E-mail addresses, phone numbers with
     * punctuation, URLs and anything with a space never match, so a mis-mapped field is named, not echoed.
     */
    private static final Pattern QUOTABLE_TOKEN = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final String LIMITED_DATA_USE = "LDU";

    private final Clock clock;
    private final Duration maxFutureSkew;
    private final Set<String> currencyCodes;

    /**
     * @param clock "now", against which {@code event_time} is judged
     * @param maxFutureSkew how far in the future an {@code event_time} may lie (producers' clocks drift);
     *     Meta documents no limit, but a timestamp well ahead of now is a producer bug
     */
    public EventValidator(Clock clock, Duration maxFutureSkew) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxFutureSkew = Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
        if (maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("maxFutureSkew must not be negative: " + maxFutureSkew);
        }
        this.currencyCodes = Currency.getAvailableCurrencies().stream()
                .map(Currency::getCurrencyCode)
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Why an event must not be sent: the {@link ErrorClass} goes to the DLQ attribute {@code capi-error-class},
     * the reason (every problem found, no customer data) to {@code capi-error-message}.
     */
    public record Violation(ErrorClass errorClass, String reason) {

        public Violation {
            Objects.requireNonNull(errorClass, "errorClass");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** @return empty when the event may be sent; otherwise every problem found, in one violation */
    public Optional<Violation> validate(ConversionMessage message) {
        Objects.requireNonNull(message, "message");
        Problems problems = new Problems();
        checkPixelId(message.pixelId(), problems);
        checkTestEventCode(message.testEventCode(), problems);
        ServerEvent event = message.event();
        checkEventName(event.eventName(), problems);
        checkActionSource(event.actionSource(), problems);
        checkEventTime(event.eventTime(), event.actionSource(), problems);
        if ("website".equals(event.actionSource())) {
            checkWebsiteFields(event, problems);
        }
        checkCustomerInformation(event.userData(), problems);
        checkCustomData(event.customData(), problems);
        checkDataProcessingOptions(event.otherFields(), problems);
        checkAppData(event.otherFields(), problems);
        return problems.toViolation();
    }

    private static void checkPixelId(String pixelId, Problems problems) {
        if (pixelId != null && !PIXEL_ID.matcher(pixelId).matches()) {
            problems.invalid("pixel_id must be 1 to " + MAX_PIXEL_ID_LENGTH
                    + " digits (the numeric id of a Meta pixel or dataset), or left out to use the default pixel");
        }
    }

    private static void checkTestEventCode(String code, Problems problems) {
        if (code == null) {
            return;
        }
        if (code.isBlank()) {
            problems.invalid("test_event_code is blank: leave it out, or copy the code from Events Manager's "
                    + "Test events tab");
        } else if (code.length() > MAX_TEST_EVENT_CODE_LENGTH) {
            problems.invalid("test_event_code is " + code.length() + " characters long, over the limit of "
                    + MAX_TEST_EVENT_CODE_LENGTH);
        }
    }

    private static void checkEventName(String name, Problems problems) {
        if (name == null) {
            problems.invalid("event.event_name is missing (e.g. Purchase, Lead, or a custom event name)");
        } else if (name.isBlank()) {
            problems.invalid("event.event_name is blank");
        } else if (name.length() > MAX_EVENT_NAME_LENGTH) {
            problems.invalid("event.event_name is " + name.length() + " characters long, over the limit of "
                    + MAX_EVENT_NAME_LENGTH);
        }
    }

    private static void checkActionSource(String source, Problems problems) {
        if (source == null) {
            problems.invalid("event.action_source is missing; it must be one of " + ACTION_SOURCE_LIST);
        } else if (!ACTION_SOURCES.contains(source)) {
            String lowercase = source.strip().toLowerCase(Locale.ROOT);
            String hint = ACTION_SOURCES.contains(lowercase) ? " (values are lowercase: use '" + lowercase + "')" : "";
            problems.invalid("event.action_source" + quoted(source) + " is not one of " + ACTION_SOURCE_LIST + hint);
        }
    }

    private void checkEventTime(Long eventTime, String actionSource, Problems problems) {
        if (eventTime == null) {
            problems.invalid("event.event_time is missing (unix seconds, UTC, when the conversion happened)");
            return;
        }
        if (eventTime > MAX_PLAUSIBLE_SECONDS) {
            problems.invalid("event.event_time looks like milliseconds; Meta wants unix seconds (divide by 1000)");
            return;
        }
        if (eventTime <= 0) {
            // An unset timestamp rather than an old event: INVALID_EVENT says "fix the producer", EXPIRED would not.
            problems.invalid("event.event_time must be a positive number of unix seconds");
            return;
        }
        Instant now = clock.instant();
        Instant time = Instant.ofEpochSecond(eventTime);
        boolean physicalStore = "physical_store".equals(actionSource);
        Duration maxAge = physicalStore ? MAX_AGE_PHYSICAL_STORE : MAX_AGE;
        Duration age = Duration.between(time, now);
        if (age.compareTo(maxAge) > 0) {
            problems.expired("event.event_time is more than " + maxAge.toDays() + " days in the past (about "
                    + describe(age) + "), Meta's limit" + (physicalStore ? " for physical_store events"
                    : " (" + MAX_AGE_PHYSICAL_STORE.toDays() + " days for physical_store)")
                    + "; Meta no longer accepts it, so it cannot be delivered");
        } else if (age.negated().compareTo(maxFutureSkew) > 0) {
            problems.invalid("event.event_time is about " + describe(age.negated()) + " in the future, more than the "
                    + describe(maxFutureSkew) + " allowed; check the producer's clock and that it sends UTC unix "
                    + "seconds");
        }
    }

    private static void checkWebsiteFields(ServerEvent event, Problems problems) {
        String url = event.eventSourceUrl();
        if (url == null) {
            problems.invalid("event.event_source_url is required for website events (the page URL where the "
                    + "conversion happened)");
        } else if (!isAbsoluteHttpUrl(url)) {
            problems.invalid("event.event_source_url must be an absolute http:// or https:// URL with a host");
        }
        JsonNode userAgent = event.userData().otherFields().get("client_user_agent");
        if (!isNonBlankString(userAgent)) {
            problems.invalid("event.user_data.client_user_agent is required for website events (the browser's "
                    + "User-Agent header, as a non-blank string)");
        }
    }

    /**
     * Deliberately lenient after the authority: browsers' URLs often carry characters that {@link java.net.URI}
     * refuses (unescaped {@code |}, {@code {}}, spaces in fragments), and Meta documents only the scheme.
     */
    static boolean isAbsoluteHttpUrl(String url) {
        var matcher = HTTP_URL.matcher(url);
        if (!matcher.lookingAt()) {
            return false;
        }
        String authority = matcher.group(1);
        String host = authority.substring(authority.lastIndexOf('@') + 1);
        return !host.isEmpty() && host.charAt(0) != ':';
    }

    private static void checkCustomerInformation(UserData userData, Problems problems) {
        boolean contact = userData.customerInformation().values().stream()
                .anyMatch(values -> values != null && values.stream().anyMatch(v -> v != null && !v.isBlank()));
        Map<String, JsonNode> other = userData.otherFields();
        boolean identifier = MATCHING_IDENTIFIERS.stream().anyMatch(field -> hasValue(other.get(field)));
        boolean ipWithAgent = hasValue(other.get("client_ip_address")) && hasValue(other.get("client_user_agent"));
        if (!contact && !identifier && !ipWithAgent) {
            problems.invalid("event.user_data has nothing Meta can match a customer on: send at least one of "
                    + CONTACT_FIELD_LIST + " (raw or SHA-256), or one of " + IDENTIFIER_LIST
                    + ", or client_ip_address together with client_user_agent");
        }
    }

    private void checkCustomData(ObjectNode customData, Problems problems) {
        if (customData == null) {
            return;
        }
        JsonNode value = present(customData.get("value"));
        JsonNode currency = present(customData.get("currency"));
        if (value != null) {
            if (value.isString()) {
                problems.invalid("event.custom_data.value must be a JSON number, not a string (send 49.99, not "
                        + "\"49.99\")");
            } else if (!value.isNumber()) {
                problems.invalid("event.custom_data.value must be a JSON number");
            } else if (value.decimalValue().signum() < 0) {
                problems.invalid("event.custom_data.value must not be negative");
            }
            if (currency == null) {
                problems.invalid("event.custom_data.currency is required when value is present (an ISO 4217 code "
                        + "such as USD)");
            }
        }
        if (currency != null && !isKnownCurrency(currency)) {
            String text = currency.isString() ? quoted(currency.asString()) : "";
            problems.invalid("event.custom_data.currency" + text + " is not an ISO 4217 currency code; send three "
                    + "letters, uppercase, such as USD or EUR");
        }
    }

    private boolean isKnownCurrency(JsonNode currency) {
        return currency.isString() && currencyCodes.contains(currency.asString().toUpperCase(Locale.ROOT));
    }

    private static void checkDataProcessingOptions(Map<String, JsonNode> otherFields, Problems problems) {
        JsonNode options = present(otherFields.get("data_processing_options"));
        if (options != null) {
            if (!options.isArray()) {
                problems.invalid("event.data_processing_options must be an array: [\"LDU\"] for Limited Data Use, "
                        + "[] for none");
            } else {
                for (JsonNode option : options) {
                    if (!option.isString() || !LIMITED_DATA_USE.equals(option.asString())) {
                        problems.invalid("event.data_processing_options may only hold the string \"LDU\" "
                                + "([] for none)");
                        break;
                    }
                }
            }
        }
        for (String field : List.of("data_processing_options_country", "data_processing_options_state")) {
            JsonNode code = present(otherFields.get(field));
            if (code != null && !code.isIntegralNumber()) {
                problems.invalid("event." + field + " must be an integer (0 lets Meta geolocate)");
            }
        }
    }

    /**
     * {@code app_data} is not required for {@code app} events, although Meta's parameters page lists it for
     * them: whether Meta rejects an app event without it depends on how the app is set up in Meta, which the
     * worker cannot see. If Meta rejects it, the event is dead-lettered as {@code META_REJECTED} with Meta's
     * own message; dead-lettering here could throw away events Meta would have accepted.
     */
    private static void checkAppData(Map<String, JsonNode> otherFields, Problems problems) {
        JsonNode appData = present(otherFields.get("app_data"));
        if (appData != null && !appData.isObject()) {
            problems.invalid("event.app_data must be a JSON object");
        }
    }

    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    private static boolean isNonBlankString(JsonNode node) {
        return node != null && node.isString() && !node.asString().isBlank();
    }

    private static boolean hasValue(JsonNode node) {
        if (node == null) {
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (hasValue(element)) {
                    return true;
                }
            }
            return false;
        }
        return isNonBlankString(node) || node.isNumber();
    }

    private static String quoted(String value) {
        return QUOTABLE_TOKEN.matcher(value).matches() ? " '" + value + "'" : "";
    }

    /** Days, hours or minutes and seconds: precise enough for a human, and never a timestamp of the customer's. */
    private static String describe(Duration duration) {
        if (duration.toDays() >= 2) {
            return plural(duration.toDays(), "day");
        }
        if (duration.toHours() >= 2) {
            return plural(duration.toHours(), "hour");
        }
        long seconds = duration.toSecondsPart();
        if (duration.toMinutes() == 0) {
            return plural(seconds, "second");
        }
        return plural(duration.toMinutes(), "minute") + (seconds == 0 ? "" : " " + plural(seconds, "second"));
    }

    private static String plural(long count, String unit) {
        return count + " " + unit + (count == 1 ? "" : "s");
    }

    /** Collects problems in the order found; remembers whether the event is too old. */
    private static final class Problems {

        private final List<String> reasons = new ArrayList<>();
        private boolean expired;

        void invalid(String reason) {
            reasons.add(reason);
        }

        void expired(String reason) {
            expired = true;
            reasons.add(reason);
        }

        /**
         * Age takes precedence: an expired event is {@link ErrorClass#EXPIRED} even when it has other problems,
         * because no fix to the message can make Meta accept it any more, so redriving it is pointless whatever
         * else is wrong, and EXPIRED tells operators to look at producer lag rather than at the data. The
         * reason still lists every problem, so the producer can fix its data too.
         */
        Optional<Violation> toViolation() {
            if (reasons.isEmpty()) {
                return Optional.empty();
            }
            ErrorClass errorClass = expired ? ErrorClass.EXPIRED : ErrorClass.INVALID_EVENT;
            return Optional.of(new Violation(errorClass, String.join("; ", reasons)));
        }
    }
}
