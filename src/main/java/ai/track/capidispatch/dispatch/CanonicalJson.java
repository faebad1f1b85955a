package ai.track.capidispatch.dispatch;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;

/**
 * One fixed JSON text per JSON value, so that equal content gives equal bytes to hash: object properties
 * sorted by name, array elements in order, no whitespace, strings escaped by Jackson's encoder, numbers
 * written by value ({@code 10}, {@code 10.0} and {@code 1e1} are one number).
 *
 * <p>Hand-written because Jackson cannot be asked for this: {@code ORDER_MAP_ENTRIES_BY_KEYS} sorts
 * {@code Map}s only, and an {@code ObjectNode} keeps insertion order.
 */
final class CanonicalJson {

    private CanonicalJson() {
    }

    static String write(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        append(node, out);
        return out.toString();
    }

    private static void append(JsonNode node, StringBuilder out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isObject()) {
            appendObject(node, out);
        } else if (node.isArray()) {
            appendArray(node, out);
        } else if (node.isString()) {
            appendString(node.stringValue(), out);
        } else if (node.isNumber()) {
            appendNumber(node, out);
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else {
            // Binary and POJO nodes never come out of a parser; refusing them beats hashing toString().
            throw new IllegalArgumentException("no canonical form for a " + node.getNodeType() + " node");
        }
    }

    private static void appendObject(JsonNode node, StringBuilder out) {
        Map<String, JsonNode> sorted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            sorted.put(property.getKey(), property.getValue());
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> property : sorted.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            appendString(property.getKey(), out);
            out.append(':');
            append(property.getValue(), out);
        }
        out.append('}');
    }

    private static void appendArray(JsonNode node, StringBuilder out) {
        out.append('[');
        boolean first = true;
        for (JsonNode element : node) {
            if (!first) {
                out.append(',');
            }
            first = false;
            append(element, out);
        }
        out.append(']');
    }

    private static void appendString(String value, StringBuilder out) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        out.append('"');
    }

    private static void appendNumber(JsonNode node, StringBuilder out) {
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue()) && !isBigDecimal(node)) {
            // NaN and infinities only exist when a parser was told to allow them; they have no decimal form.
            appendString(Double.toString(node.doubleValue()), out);
            return;
        }
        // BigDecimal.toString after stripTrailingZeros is one text per numeric value (scientific notation
        // for large exponents, so a hostile 1e999999 cannot blow up into a million zeros).
        BigDecimal value = node.decimalValue().stripTrailingZeros();
        out.append(value.signum() == 0 ? "0" : value.toString());
    }

    private static boolean isBigDecimal(JsonNode node) {
        return node.numberValue() instanceof BigDecimal;
    }
}
