package ai.track.capidispatch.dispatch;

import java.text.Normalizer;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Meta's normalization rule for each customer-information field, one method per field, following Meta's
 * customer-information-parameters page (notes §A7.1). Where Meta's SDKs disagree with that page, the page
 * wins (notes §A7.3).
 *
 * <p>Every method returns the normalized value, or {@code ""} when nothing usable is left; the caller drops
 * empty results instead of hashing them. Nothing here hashes.
 */
final class CustomerInformationNormalizer {

    private static final Map<String, String> GENDERS = Map.of(
            "f", "f", "female", "f", "woman", "f", "w", "f",
            "m", "m", "male", "m", "man", "m");

    /** A US ZIP+4 once spaces and dashes are gone: {@code 94025-1234} → {@code 940251234}. */
    private static final Pattern ZIP_PLUS_FOUR = Pattern.compile("\\d{9}");

    private final DateOfBirthNormalizer datesOfBirth;
    private final Countries countries = new Countries();
    private final Map<String, UnaryOperator<String>> rules;

    CustomerInformationNormalizer(Clock clock) {
        this.datesOfBirth = new DateOfBirthNormalizer(clock);
        this.rules = Map.ofEntries(
                Map.entry("em", this::email),
                Map.entry("ph", this::phone),
                Map.entry("fn", this::name),
                Map.entry("ln", this::name),
                Map.entry("ge", this::gender),
                Map.entry("db", this::dateOfBirth),
                Map.entry("ct", this::city),
                Map.entry("st", this::state),
                Map.entry("zp", this::zip),
                Map.entry("country", this::country),
                Map.entry("external_id", this::externalId));
    }

    /** @throws IllegalArgumentException for a field that is not customer information */
    String normalize(String field, String value) {
        UnaryOperator<String> rule = rules.get(field);
        if (rule == null) {
            throw new IllegalArgumentException("not a customer information field: " + field);
        }
        return rule.apply(value);
    }

    /** Meta: trim, lowercase. No format check: Meta documents none, and a typo still hashes harmlessly. */
    String email(String value) {
        return value.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Meta: remove symbols, letters and leading zeros; the country code must be included. Digits from other
     * scripts count as digits. We cannot know a customer's country, so we never add a country code: a
     * national number such as {@code (650)555-1212} goes out as {@code 6505551212} and will not match Meta's
     * {@code 16505551212}. Producers must send international numbers; {@code 0044...} works because the
     * international prefix 00 is a run of leading zeros.
     */
    String phone(String value) {
        StringBuilder digits = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isDigit(cp)) {
                int digit = Character.digit(cp, 10);
                if (digit > 0 || digits.length() > 0) {
                    digits.append((char) ('0' + digit));
                }
            }
        }
        return digits.toString();
    }

    /**
     * Meta: lowercase, no punctuation, UTF-8 letters kept ({@code Valéry} → {@code valéry}). Whitespace goes
     * as well ({@code Mary Ann} → {@code maryann}): Meta's own capi-param-builder strips whitespace and
     * punctuation from names, Meta recommends a-z only, and a space is the likeliest difference between two
     * spellings of the same compound name, so dropping it matches more people.
     */
    String name(String value) {
        return lettersMarksAndDigits(value);
    }

    /** Meta wants {@code f} or {@code m}; other values cannot be mapped honestly and are dropped. */
    String gender(String value) {
        return GENDERS.getOrDefault(value.strip().toLowerCase(Locale.ROOT), "");
    }

    String dateOfBirth(String value) {
        return datesOfBirth.normalize(value);
    }

    /**
     * Meta: lowercase, no punctuation, no special characters, no spaces, UTF-8 allowed: {@code São Paulo} →
     * {@code sãopaulo}. capi-param-builder keeps only a-z0-9 and so drops {@code ã}; Meta's page wins.
     */
    String city(String value) {
        return lettersMarksAndDigits(value);
    }

    /**
     * Meta: the 2-letter ANSI code in lowercase for US states; for other countries lowercase with no
     * punctuation, special characters or spaces. We also map Canadian province names, as capi-param-builder
     * does; codes and unknown regions keep the generic form.
     */
    String state(String value) {
        return NorthAmericanStates.code(lettersMarksAndDigits(value));
    }

    /**
     * Meta: lowercase, no spaces, no dash; US: the first 5 digits; UK: area, district and sector. A string of
     * 9 digits after cleaning is taken as a US ZIP+4 and cut to 5 (no other country uses 9-digit postcodes
     * without letters). A full UK postcode is kept whole ({@code SW1A 1AA} → {@code sw1a1aa}).
     */
    String zip(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        StringBuilder zip = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (!isSpace(cp) && Character.getType(cp) != Character.DASH_PUNCTUATION) {
                zip.appendCodePoint(cp);
            }
        }
        return ZIP_PLUS_FOUR.matcher(zip).matches() ? zip.substring(0, 5) : zip.toString();
    }

    /** Meta: ISO 3166-1 alpha-2 in lowercase; names and alpha-3 codes are mapped, unknown values dropped. */
    String country(String value) {
        return countries.alpha2(value);
    }

    /**
     * Trimmed only. Meta asks for "the same format as on other channels", so the id must hash exactly as the
     * advertiser's pixel or CRM upload does, and ids are often case-sensitive. capi-param-builder lowercases
     * (and removes inner whitespace); we keep case so that {@code AbC} and {@code abc} stay different
     * customers. Producers that rely on param-builder's form must lowercase before sending.
     */
    String externalId(String value) {
        return value.strip();
    }

    /**
     * NFC-composed lowercase with only letters, combining marks and decimal digits left: punctuation,
     * symbols, separators (all whitespace) and control or format characters go. Marks are kept because
     * scripts such as Devanagari need them and because an NFD {@code é} arrives as {@code e} plus a mark;
     * composing after filtering turns that into the NFC {@code é} Meta hashes.
     */
    static String lettersMarksAndDigits(String value) {
        return isAscii(value) ? asciiLettersAndDigits(value) : lettersMarksAndDigitsOfAnyScript(value);
    }

    /**
     * {@link #lettersMarksAndDigitsOfAnyScript} for ASCII, most names and cities, without its general machinery (it
     * runs for every name, city and state): ASCII has no marks, its letters and digits are A-Z, a-z and 0-9, and
     * an ASCII string is already NFC. {@code CustomerInformationNormalizerTest} holds the two to the same result.
     */
    static String asciiLettersAndDigits(String value) {
        StringBuilder kept = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                kept.append((char) (c - 'A' + 'a'));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    static String lettersMarksAndDigitsOfAnyScript(String value) {
        StringBuilder kept = new StringBuilder(value.length());
        value.toLowerCase(Locale.ROOT).codePoints()
                .filter(CustomerInformationNormalizer::isLetterMarkOrDigit)
                .forEach(kept::appendCodePoint);
        return Normalizer.normalize(kept, Normalizer.Form.NFC);
    }

    private static boolean isLetterMarkOrDigit(int cp) {
        int type = Character.getType(cp);
        return Character.isLetter(cp)
                || type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK
                || type == Character.DECIMAL_DIGIT_NUMBER;
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Java's whitespace plus the no-break spaces that {@link Character#isWhitespace} leaves out. */
    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }
}
