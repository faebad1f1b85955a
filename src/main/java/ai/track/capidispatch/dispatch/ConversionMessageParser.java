package ai.track.capidispatch.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an SQS message body (contract §3) into a {@link ConversionMessage}, or says precisely why it cannot.
 *
 * <p>It walks the JSON tree by hand instead of binding with Jackson annotations for two reasons: Jackson's
 * binding errors quote the offending input (customer data would reach logs and DLQ attributes), and a hand
 * walk names the exact path at fault ({@code event.user_data.em[1] must be a string}). Only types are checked
 * here; which fields are required is the {@code EventValidator}'s business.
 *
 * <p>A body in an SNS or EventBridge envelope (see {@link EnvelopeUnwrapper}) is read as the body it carries,
 * with the same checks and limits as a raw body; its reasons name the envelope
 * ({@code SNS envelope: Message is not valid JSON ...}, {@code EventBridge envelope: detail.event is missing}).
 */
public final class ConversionMessageParser {

    /** SQS's own maximum message size; the contract promises no more. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    static final int MAX_NESTING_DEPTH = 32;
    static final int MAX_STRING_LENGTH = 64 * 1024;

    private final JsonMapper mapper;

    public ConversionMessageParser() {
        // Limits a hostile body cannot exceed: deep nesting and huge strings or numbers cost CPU and memory.
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .maxNumberLength(64)
                        .build())
                .build();
        this.mapper = JsonMapper.builder(factory).build();
    }

    public ParseResult parse(String body) {
        try {
            return new ParseResult.Parsed(read(body));
        } catch (InvalidField e) {
            return new ParseResult.Rejected(e.getMessage());
        }
    }

    private ConversionMessage read(String body) {
        if (!(readJson(body, "body") instanceof ObjectNode root)) {
            throw new InvalidField("body must be a JSON object");
        }
        JsonNode event = root.get("event");
        if (isAbsent(event)) {
            // Only here, so a raw body costs no more than before envelopes were accepted.
            EnvelopeUnwrapper.Unwrapped unwrapped = EnvelopeUnwrapper.unwrap(root);
            if (unwrapped != EnvelopeUnwrapper.Unwrapped.NONE) {
                return readEnveloped(unwrapped);
            }
        }
        return readMessage(root, event);
    }

    /** The body inside an envelope, read exactly as a raw body; its reasons say where in the envelope. */
    private ConversionMessage readEnveloped(EnvelopeUnwrapper.Unwrapped unwrapped) {
        String where;
        JsonNode contents;
        if (unwrapped instanceof EnvelopeUnwrapper.Unwrapped.Text text) {
            where = text.where();
            contents = readJson(text.json(), where);
        } else if (unwrapped instanceof EnvelopeUnwrapper.Unwrapped.Tree tree) {
            where = tree.where();
            contents = tree.body();
        } else if (unwrapped instanceof EnvelopeUnwrapper.Unwrapped.Malformed malformed) {
            throw new InvalidField(malformed.reason());
        } else {
            throw new IllegalStateException("not an envelope: " + unwrapped);
        }
        if (!(contents instanceof ObjectNode body)) {
            throw new InvalidField(where + " must be a JSON object");
        }
        JsonNode event = body.get("event");
        if (isAbsent(event) && EnvelopeUnwrapper.unwrap(body) != EnvelopeUnwrapper.Unwrapped.NONE) {
            throw new InvalidField(where + " is itself an envelope; only one envelope is unwrapped");
        }
        try {
            return readMessage(body, event);
        } catch (InvalidField e) {
            // Every reason of the tree walk starts with a path in the body: make it a path in the envelope.
            throw new InvalidField(where + "." + e.getMessage());
        }
    }

    /**
     * The checks a body gets before anything is read from it; {@code subject} names the text in reasons
     * ({@code body}, or the field of an envelope that holds the body as a string).
     */
    private JsonNode readJson(String text, String subject) {
        if (text == null || text.isBlank()) {
            throw new InvalidField(subject + " is empty");
        }
        if (text.indexOf('\uFFFD') >= 0) {
            // What a decoder leaves for bytes that were not UTF-8.
            throw new InvalidField(subject + " is not valid UTF-8 text");
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (hasLoneSurrogate(text, utf8)) {
            throw new InvalidField(subject + " is not valid UTF-8 text");
        }
        if (utf8.length > MAX_BODY_BYTES) {
            throw new InvalidField(subject + " is " + utf8.length + " bytes, over the limit of " + MAX_BODY_BYTES);
        }
        try {
            return mapper.readTree(utf8);
        } catch (JacksonException e) {
            // The location is safe to report; Jackson's message may quote the input, so it is not used. A
            // parser limit (nesting, string or number length) may come without a location.
            throw new InvalidField(subject + " is not valid JSON or exceeds a parser limit"
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")"));
        }
    }

    /**
     * {@link String#getBytes} (the JDK's fastest encoder) writes a lone surrogate as {@code '?'}; every other
     * character becomes either itself (ASCII) or bytes of 0x80 and above. So the body holds a lone surrogate
     * exactly when its bytes hold more {@code '?'} than its characters do.
     */
    private static boolean hasLoneSurrogate(String body, byte[] utf8) {
        int questionMarksInBytes = 0;
        for (byte b : utf8) {
            if (b == '?') {
                questionMarksInBytes++;
            }
        }
        if (questionMarksInBytes == 0) {
            return false;
        }
        int questionMarksInText = 0;
        for (int at = body.indexOf('?'); at >= 0; at = body.indexOf('?', at + 1)) {
            questionMarksInText++;
        }
        return questionMarksInBytes != questionMarksInText;
    }

    private ConversionMessage readMessage(ObjectNode root, JsonNode event) {
        String pixelId = optionalString(root, "pixel_id", "pixel_id");
        String testEventCode = optionalString(root, "test_event_code", "test_event_code");
        if (isAbsent(event)) {
            throw new InvalidField("event is missing");
        }
        return new ConversionMessage(pixelId, testEventCode, readEvent(asObject(event, "event")));
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull();
    }

    private ServerEvent readEvent(ObjectNode event) {
        Map<String, JsonNode> other = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : event.properties()) {
            if (!TYPED_EVENT_FIELDS.contains(field.getKey())) {
                other.put(field.getKey(), field.getValue());
            }
        }
        JsonNode customData = event.get("custom_data");
        return new ServerEvent(
                optionalString(event, "event_name", "event.event_name"),
                optionalLong(event, "event_time", "event.event_time"),
                optionalString(event, "event_id", "event.event_id"),
                optionalString(event, "action_source", "event.action_source"),
                optionalString(event, "event_source_url", "event.event_source_url"),
                readUserData(event.get("user_data")),
                customData == null || customData.isNull() ? null : asObject(customData, "event.custom_data"),
                other);
    }

    private static final java.util.Set<String> TYPED_EVENT_FIELDS = java.util.Set.of("event_name", "event_time",
            "event_id", "action_source", "event_source_url", "user_data", "custom_data");

    private UserData readUserData(JsonNode node) {
        if (node == null || node.isNull()) {
            return UserData.EMPTY;
        }
        ObjectNode userData = asObject(node, "event.user_data");
        Map<String, List<String>> customerInformation = new LinkedHashMap<>();
        Map<String, JsonNode> other = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : userData.properties()) {
            String name = field.getKey();
            if (UserData.CUSTOMER_INFORMATION_FIELDS.contains(name)) {
                customerInformation.put(name, stringOrStrings(field.getValue(), "event.user_data." + name));
            } else {
                other.put(name, field.getValue());
            }
        }
        return new UserData(customerInformation, other);
    }

    /** Meta accepts a customer-information value as a string or a list of strings; numbers are read as text. */
    private static List<String> stringOrStrings(JsonNode value, String path) {
        List<String> values = new ArrayList<>();
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                values.add(scalarText(value.get(i), path + "[" + i + "]"));
            }
        } else if (!value.isNull()) {
            values.add(scalarText(value, path));
        }
        return values;
    }

    private static String scalarText(JsonNode value, String path) {
        // Producers often send zip codes, phones and external ids as numbers; their text is unambiguous.
        if (value.isString() || value.isIntegralNumber()) {
            return value.asString();
        }
        throw new InvalidField(path + " must be a string or a list of strings");
    }

    private static String optionalString(JsonNode parent, String field, String path) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new InvalidField(path + " must be a string");
        }
        return value.asString();
    }

    private static Long optionalLong(JsonNode parent, String field, String path) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidField(path + " must be an integer (unix seconds)");
        }
        return value.asLong();
    }

    private static ObjectNode asObject(JsonNode node, String path) {
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidField(path + " must be a JSON object");
        }
        return object;
    }

    /** Control flow inside the tree walk only; never escapes {@link #parse}. */
    private static final class InvalidField extends RuntimeException {
        InvalidField(String message) {
            super(message, null, false, false);
        }
    }
}
