package ai.track.capidispatch.dispatch;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns raw customer information into what Meta accepts: each value normalized by Meta's rules for its field
 * (see {@link CustomerInformationNormalizer}) and then SHA-256 hashed, as lowercase hex of the UTF-8 bytes.
 *
 * <p>Per field, the result keeps input order, holds each hash once, drops values that normalize to nothing
 * (an unparseable date, an unknown country, an empty string) and omits the field when no value is left:
 * Meta rejects the whole batch for an invalid event, so a bad value is dropped rather than sent.
 *
 * <p>Values that are already hashed pass through unchanged, so a producer that hashes on its side is not
 * hashed twice (a double hash never matches and Meta cannot tell). Only exactly 64 <em>lowercase</em> hex
 * characters count as a hash, because that is the form Meta documents and we send; {@code ABC...} in
 * uppercase is treated as a raw value and hashed. The check runs on the value with surrounding whitespace
 * removed. {@code otherFields} (IP, user agent, fbc, fbp, ...) must not be hashed and are passed through.
 *
 * <p>Thread-safe; holds no mutable state besides a per-thread digest.
 */
public final class UserDataNormalizer {

    private final CustomerInformationNormalizer normalizer;
    private final Sha256 sha256 = new Sha256();

    /** @param clock supplies "the current year", the upper bound Meta sets for a date of birth */
    public UserDataNormalizer(Clock clock) {
        this.normalizer = new CustomerInformationNormalizer(clock);
    }

    /**
     * @throws IllegalArgumentException if {@code raw} holds a customer-information key that is not one of
     *     {@link UserData#CUSTOMER_INFORMATION_FIELDS}: the parser's contract is broken, not the event's
     */
    public UserData normalizeAndHash(UserData raw) {
        Objects.requireNonNull(raw, "raw");
        Map<String, List<String>> hashed = new LinkedHashMap<>();
        raw.customerInformation().forEach((field, values) -> {
            List<String> fieldHashes = hashAll(field, values);
            if (!fieldHashes.isEmpty()) {
                hashed.put(field, fieldHashes);
            }
        });
        return raw.withCustomerInformation(hashed);
    }

    private List<String> hashAll(String field, List<String> values) {
        if (!UserData.CUSTOMER_INFORMATION_FIELDS.contains(field)) {
            throw new IllegalArgumentException("not a customer information field: " + field);
        }
        if (values == null) {
            return List.of();
        }
        if (values.size() == 1) {
            // The usual case, without the set that drops repeats.
            String value = values.get(0);
            String hash = value == null ? "" : hash(field, value);
            return hash.isEmpty() ? List.of() : List.of(hash);
        }
        Set<String> hashes = new LinkedHashSet<>();
        for (String value : values) {
            if (value != null) {
                String hash = hash(field, value);
                if (!hash.isEmpty()) {
                    hashes.add(hash);
                }
            }
        }
        return List.copyOf(hashes);
    }

    /** The hash to send for one value, or "" when the value normalizes to nothing. */
    private String hash(String field, String value) {
        String stripped = value.strip();
        if (isSha256Hex(stripped)) {
            return stripped;
        }
        String normalized = normalizer.normalize(field, value);
        return normalized.isEmpty() ? "" : sha256.hex(normalized);
    }

    /** {@code [0-9a-f]{64}}, checked by hand: it runs for every value of every event. */
    private static boolean isSha256Hex(String value) {
        if (value.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = value.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }
}
