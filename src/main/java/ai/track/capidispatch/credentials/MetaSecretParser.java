package ai.track.capidispatch.credentials;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the secret's JSON (contract §2): the single-pixel form {@code {"access_token","pixel_id","app_secret"?}},
 * the multi-pixel form {@code {"pixels": {"<id>": {"access_token","app_secret"?}}}}, or both together (the
 * top-level pixel is then the default and joins the map).
 */
final class MetaSecretParser {

    /** The same bound the event validator puts on a message's {@code pixel_id}. */
    static final int MAX_PIXEL_ID_LENGTH = 20;

    private final JsonMapper mapper;

    MetaSecretParser(JsonMapper mapper) {
        this.mapper = mapper;
    }

    MetaSecret parse(String secretString) {
        JsonNode root;
        try {
            root = mapper.readTree(secretString);
        } catch (JacksonException e) {
            // Never Jackson's message: it may quote the token.
            throw new InvalidSecretException("the secret is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidSecretException("the secret must be a JSON object");
        }
        Map<String, MetaCredentials> pixels = new LinkedHashMap<>();
        String defaultPixel = text(root, "pixel_id");
        if (defaultPixel != null) {
            requireDigits(defaultPixel);
            pixels.put(defaultPixel, credentials(defaultPixel, root, "the secret"));
        }
        JsonNode map = root.get("pixels");
        if (map != null && !map.isNull()) {
            if (!map.isObject()) {
                throw new InvalidSecretException("pixels must be an object keyed by pixel id");
            }
            for (Map.Entry<String, JsonNode> entry : map.properties()) {
                // Checked before the key is named in any message: a token pasted as a key must not be quoted.
                requireDigits(entry.getKey());
                if (!entry.getValue().isObject()) {
                    throw new InvalidSecretException("pixels." + entry.getKey() + " must be an object");
                }
                pixels.put(entry.getKey(), credentials(entry.getKey(), entry.getValue(), "pixels." + entry.getKey()));
            }
        }
        if (pixels.isEmpty()) {
            throw new InvalidSecretException("the secret names no pixel: set pixel_id and access_token, or pixels");
        }
        return new MetaSecret(defaultPixel, pixels);
    }

    /** Pixel ids become a URL path segment: digits only, so no id can climb out of {@code /{pixel}/events}. */
    private static void requireDigits(String pixelId) {
        if (pixelId.isEmpty() || pixelId.length() > MAX_PIXEL_ID_LENGTH
                || !pixelId.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidSecretException("pixel ids must be 1 to " + MAX_PIXEL_ID_LENGTH
                    + " ASCII digits; one in the secret is not");
        }
    }

    private static MetaCredentials credentials(String pixelId, JsonNode node, String where) {
        String token = text(node, "access_token");
        if (token == null || token.isBlank()) {
            throw new InvalidSecretException(where + " has no access_token");
        }
        String appSecret = text(node, "app_secret");
        return new MetaCredentials(pixelId, token, appSecret == null || appSecret.isBlank() ? null : appSecret);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString() && !value.isIntegralNumber()) {
            throw new InvalidSecretException(field + " must be a string");
        }
        return value.asString();
    }
}
