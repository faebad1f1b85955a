package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

class UserDataNormalizerTest {

    /** "Now" is in 2026, so 2026 is the last year a date of birth may have. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-10-01T12:00:00Z"), ZoneOffset.UTC);

    private final UserDataNormalizer normalizer = new UserDataNormalizer(CLOCK);
    private final CustomerInformationNormalizer fields = new CustomerInformationNormalizer(CLOCK);

    /** Meta's vectors (notes §A7.2): the normalized value and the full hash, exactly as documented. */
    @Nested
    class MetaDocumentationVectors {

        @Test
        void email() {
            assertVector("em", "John_Smith@gmail.com", "john_smith@gmail.com",
                    "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");
        }

        @Test
        void phoneWithCountryCode() {
            // Meta's vector is the US number (650)555-1212 with its country code, which we never add ourselves.
            assertVector("ph", "+1 (650) 555-1212", "16505551212",
                    "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176");
        }

        @Test
        void firstNameLatin() {
            assertVector("fn", "Mary", "mary", "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec");
        }

        @Test
        void firstNameKorean() {
            assertVector("fn", "정", "정", "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14");
        }

        @Test
        void firstNameWithAccentComposed() {
            String nfc = "Val\u00e9ry";
            assertVector("fn", nfc, "val\u00e9ry", "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c");
        }

        @Test
        void firstNameWithAccentDecomposed() {
            String nfd = "Vale\u0301ry";
            assertThat(Normalizer.isNormalized(nfd, Normalizer.Form.NFC)).isFalse();
            assertVector("fn", nfd, "val\u00e9ry", "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c");
        }

        @Test
        void dateOfBirthInUsForm() {
            assertVector("db", "2/16/1997", "19970216",
                    "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c");
        }

        @Test
        void countryName() {
            assertVector("country", "United States", "us",
                    "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621");
        }

        @Test
        void genderFemale() {
            assertVector("ge", "f", "f", "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111");
        }

        @Test
        void genderMale() {
            assertVector("ge", "m", "m", "62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a");
        }

        private void assertVector(String field, String input, String normalized, String sha256) {
            assertThat(fields.normalize(field, input)).isEqualTo(normalized);
            assertThat(hashes(field, input)).containsExactly(sha256);
        }
    }

    @Nested
    class Email {

        @Test
        void hashesEmailAfterTrimmingAndLowercasing() {
            assertThat(hashes("em", "  John_Smith@Gmail.COM \t")).containsExactly(sha256("john_smith@gmail.com"));
        }

        @Test
        void lowercasesWithoutLocaleSurprises() {
            // A Turkish default locale would turn I into a dotless ı.
            assertThat(fields.normalize("em", "INFO@EXAMPLE.COM")).isEqualTo("info@example.com");
        }

        @Test
        void dropsBlankEmail() {
            assertThat(normalizer.normalizeAndHash(userData("em", " ", "")).customerInformation()).isEmpty();
        }
    }

    @Nested
    class Phone {

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "+1 (650) 555-1212  | 16505551212",
            "0044 20 7946 0958  | 442079460958",
            "tel: 1-650-555-1212 ext | 16505551212",
            "١٦٥٠٥٥٥١٢١٢        | 16505551212"})
        void keepsOnlyDigitsWithoutLeadingZeros(String input, String expected) {
            assertThat(fields.normalize("ph", input)).isEqualTo(expected);
        }

        @Test
        void keepsATrunkZeroWrittenAfterTheCountryCode() {
            // "+44 (0)20 ..." is common in the UK; Meta's rule only drops leading zeros, so the (0) stays.
            // A producer that wants a match must send +44 20 ...; we do not guess at national dialling rules.
            assertThat(fields.normalize("ph", "+44 (0)20 7946 0958")).isEqualTo("4402079460958");
        }

        @Test
        void doesNotAddACountryCodeToNationalNumbers() {
            // Meta would want 16505551212; we cannot know the country, so the number stays national.
            assertThat(fields.normalize("ph", "(650)555-1212")).isEqualTo("6505551212");
        }

        @Test
        void dropsPhoneWithoutDigits() {
            assertThat(hashes("ph", "n/a", "000", "+")).isEmpty();
        }
    }

    @Nested
    class Names {

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "\"  Mary \t\" | mary",
            "MARY | mary",
            "O'Brien | obrien",
            "Mary Ann | maryann",
            "Mary-Ann | maryann",
            "Smith, Jr. | smithjr",
            "J@ne$ ™ | jne",
            "Müller | müller",
            "ÉLODIE | élodie",
            "김 민준 | 김민준"})
        void lowercasesAndRemovesPunctuationSymbolsAndWhitespace(String input, String expected) {
            assertThat(fields.normalize("fn", input)).isEqualTo(expected);
            assertThat(fields.normalize("ln", input)).isEqualTo(expected);
        }

        @Test
        void composesDecomposedAccentsSoBothFormsHashAlike() {
            assertThat(hashes("ln", "Valéry", "Vale\u0301ry")).containsExactly(sha256("val\u00e9ry"));
        }

        @Test
        void removesNoBreakAndZeroWidthSpaces() {
            assertThat(fields.normalize("ln", "De\u00a0La\u200bCruz")).isEqualTo("delacruz");
        }

        @Test
        void dropsNameMadeOfPunctuationOnly() {
            assertThat(hashes("fn", "-", ". .", "")).isEmpty();
        }
    }

    @Nested
    class Gender {

        @ParameterizedTest
        @ValueSource(strings = {"f", "F", " female ", "Woman", "w"})
        void mapsFemaleWordsToF(String input) {
            assertThat(fields.normalize("ge", input)).isEqualTo("f");
        }

        @ParameterizedTest
        @ValueSource(strings = {"m", "M", "Male", " MAN "})
        void mapsMaleWordsToM(String input) {
            assertThat(fields.normalize("ge", input)).isEqualTo("m");
        }

        @Test
        void dropsAnyOtherGender() {
            // "mrs" or "fem" start with m/f but are not on the list: no first-letter guessing.
            assertThat(hashes("ge", "x", "nonbinary", "mrs", "fem", "unknown", "")).isEmpty();
        }

        @Test
        void dedupesSpellingsOfTheSameGender() {
            assertThat(hashes("ge", "F", "female", "m")).containsExactly(sha256("f"), sha256("m"));
        }
    }

    @Nested
    class DateOfBirth {

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "19970216 | 19970216",
            "1997-02-16 | 19970216",
            "1997/02/16 | 19970216",
            "1997.02.16 | 19970216",
            "1997-2-6 | 19970206",
            "02/16/1997 | 19970216",
            "2/6/1997 | 19970206",
            "16.02.1997 | 19970216",
            "6.2.1997 | 19970206",
            "\" 1997-02-16 \" | 19970216",
            "1900-01-01 | 19000101",
            "2026-12-31 | 20261231"})
        void writesAcceptedFormsAsYyyyMmDd(String input, String expected) {
            assertThat(fields.normalize("db", input)).isEqualTo(expected);
        }

        @Test
        void readsDateWithSurroundingWhitespace() {
            assertThat(fields.normalize("db", "\t 1997-02-16 \n")).isEqualTo("19970216");
        }

        @Test
        void readsAmbiguousSlashedDateAsUsMonthFirst() {
            assertThat(fields.normalize("db", "3/4/1997")).isEqualTo("19970304");
        }

        @Test
        void readsSlashedDateAsDayFirstWhenTheFirstNumberCannotBeAMonth() {
            assertThat(fields.normalize("db", "16/2/1997")).isEqualTo("19970216");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "1997-02-30", "2/30/1997", "19970229", "13/13/1997", "1997-13-01", "00.01.1997",
            "1899-12-31", "2027-01-01", "02-16-1997", "16 Feb 1997", "1997-02/16", "97-02-16",
            "1997-02-16T00:00:00Z", "", "tomorrow"})
        void dropsInvalidOrUnreadableDates(String input) {
            assertThat(fields.normalize("db", input)).isEmpty();
            assertThat(hashes("db", input)).isEmpty();
        }

        @Test
        void acceptsLeapDay() {
            assertThat(fields.normalize("db", "2/29/2000")).isEqualTo("20000229");
        }

        @Test
        void takesTheCurrentYearFromTheClock() {
            CustomerInformationNormalizer in2030 = new CustomerInformationNormalizer(
                    Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
            assertThat(in2030.normalize("db", "2029-06-01")).isEqualTo("20290601");
        }
    }

    @Nested
    class City {

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "New York | newyork",
            "\"  SAN FRANCISCO  \" | sanfrancisco",
            "São Paulo | sãopaulo",
            "St. John's | stjohns",
            "Winston-Salem | winstonsalem",
            "Zürich 8001 | zürich8001",
            "서울 | 서울",
            "मुंबई | मुंबई"})
        void keepsOnlyLowercaseLettersAndDigits(String input, String expected) {
            assertThat(fields.normalize("ct", input)).isEqualTo(expected);
        }

        @Test
        void dropsCityWithoutLetters() {
            assertThat(hashes("ct", " - ", "")).isEmpty();
        }
    }

    @Nested
    class State {

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "California | ca",
            "CA | ca",
            "ca | ca",
            "new york | ny",
            "New-York | ny",
            "N.Y. | ny",
            "District of Columbia | dc",
            "Puerto Rico | pr",
            "British Columbia | bc",
            "Québec | qc",
            "Quebec | qc",
            "Newfoundland and Labrador | nl"})
        void mapsUsAndCanadianNamesAndCodesToTwoLetterCodes(String input, String expected) {
            assertThat(fields.normalize("st", input)).isEqualTo(expected);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "Bayern | bayern",
            "Île-de-France | îledefrance",
            "New South Wales | newsouthwales",
            "NSW | nsw"})
        void normalizesOtherRegionsWithoutMapping(String input, String expected) {
            assertThat(fields.normalize("st", input)).isEqualTo(expected);
        }

        @Test
        void hashesTheCodeSoNameAndCodeMatch() {
            assertThat(hashes("st", "California", "CA")).containsExactly(sha256("ca"));
        }
    }

    @Nested
    class Zip {

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "94025 | 94025",
            "94025-1234 | 94025",
            "940251234 | 94025",
            "94025 1234 | 94025",
            "SW1A 1AA | sw1a1aa",
            "sw1a-1aa | sw1a1aa",
            "K1A 0B1 | k1a0b1",
            "01310-100 | 01310100",
            "100-0001 | 1000001",
            "02115 | 02115"})
        void lowercasesRemovesSpacesAndDashesAndCutsZipPlusFour(String input, String expected) {
            assertThat(fields.normalize("zp", input)).isEqualTo(expected);
        }

        @Test
        void dropsZipMadeOfSeparatorsOnly() {
            assertThat(hashes("zp", " - ")).isEmpty();
        }
    }

    @Nested
    class Country {

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "us | us",
            "US | us",
            "\" De \" | de",
            "USA | us",
            "deu | de",
            "GBR | gb",
            "United States | us",
            "united states of america | us",
            "U.S. | us",
            "U.S.A. | us",
            "UK | gb",
            "Great Britain | gb",
            "England | gb",
            "United Kingdom | gb",
            "Germany | de",
            "GERMANY | de",
            "South Korea | kr",
            "Côte d’Ivoire | ci",
            "Cote d'Ivoire | ci",
            "Myanmar | mm"})
        void mapsCodesAndEnglishNamesToLowercaseAlpha2(String input, String expected) {
            assertThat(fields.normalize("country", input)).isEqualTo(expected);
        }

        @Test
        void mapsCountryWithSurroundingWhitespace() {
            assertThat(fields.normalize("country", "  DE\t")).isEqualTo("de");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Deutschland", "XX", "Atlantis", "ZZZ", "", "12"})
        void dropsUnknownCountries(String input) {
            assertThat(hashes("country", input)).isEmpty();
        }
    }

    @Nested
    class ExternalId {

        @Test
        void trimsButKeepsCase() {
            assertThat(hashes("external_id", "  AbC-123 ")).containsExactly(sha256("AbC-123"));
        }

        @Test
        void treatsIdsDifferingInCaseAsDifferentCustomers() {
            assertThat(hashes("external_id", "abc", "ABC")).containsExactly(sha256("abc"), sha256("ABC"));
        }
    }

    @Nested
    class AlreadyHashedValues {

        private final String hashedEmail = sha256("john_smith@gmail.com");

        @Test
        void passesLowercaseSha256HexThroughUnchanged() {
            assertThat(hashes("em", hashedEmail)).containsExactly(hashedEmail);
        }

        @Test
        void doesNotRehashAHashInAnyField() {
            // Looks like nothing a phone or country normalizer could produce, yet must survive untouched.
            for (String field : UserData.CUSTOMER_INFORMATION_FIELDS) {
                assertThat(hashes(field, hashedEmail)).as(field).containsExactly(hashedEmail);
            }
        }

        @Test
        void hashesUppercaseHexAsARawValue() {
            // Only lowercase hex is Meta's documented form; uppercase is taken as raw data (an id, say).
            String upper = hashedEmail.toUpperCase();
            assertThat(hashes("external_id", upper)).containsExactly(sha256(upper));
        }

        @Test
        void hashesHexOfTheWrongLengthAsARawValue() {
            String sha1Like = hashedEmail.substring(0, 40);
            assertThat(hashes("external_id", sha1Like)).containsExactly(sha256(sha1Like));
        }

        @Test
        void keepsInputOrderWhenMixingRawAndHashedValues() {
            String other = sha256("other@example.com");
            assertThat(hashes("em", other, "Jane@Example.com", hashedEmail))
                    .containsExactly(other, sha256("jane@example.com"), hashedEmail);
        }

        @Test
        void dedupesARawValueAgainstItsOwnHash() {
            assertThat(hashes("em", hashedEmail, "John_Smith@gmail.com")).containsExactly(hashedEmail);
            assertThat(hashes("em", "John_Smith@gmail.com", hashedEmail)).containsExactly(hashedEmail);
        }
    }

    @Nested
    class WholeUserData {

        @Test
        void dedupesValuesThatNormalizeAlikeKeepingFirstOccurrenceOrder() {
            assertThat(hashes("em", "b@x.com", "A@x.com", " b@X.com", "a@x.com"))
                    .containsExactly(sha256("b@x.com"), sha256("a@x.com"));
        }

        @Test
        void removesAFieldWhoseValuesAllNormalizeToNothing() {
            Map<String, List<String>> info = new LinkedHashMap<>();
            info.put("em", List.of("a@x.com"));
            info.put("country", List.of("Atlantis"));
            info.put("ge", List.of(""));
            UserData hashed = normalizer.normalizeAndHash(new UserData(info, Map.of()));
            assertThat(hashed.customerInformation()).containsOnlyKeys("em");
        }

        @Test
        void skipsNullValuesAndNullLists() {
            Map<String, List<String>> info = new LinkedHashMap<>();
            info.put("em", Arrays.asList(null, "a@x.com"));
            info.put("ph", null);
            UserData hashed = normalizer.normalizeAndHash(new UserData(info, Map.of()));
            assertThat(hashed.customerInformation()).containsExactly(Map.entry("em", List.of(sha256("a@x.com"))));
        }

        @Test
        void keepsFieldOrderOfTheInput() {
            Map<String, List<String>> info = new LinkedHashMap<>();
            info.put("zp", List.of("94025"));
            info.put("em", List.of("a@x.com"));
            info.put("country", List.of("us"));
            UserData hashed = normalizer.normalizeAndHash(new UserData(info, Map.of()));
            assertThat(hashed.customerInformation().keySet()).containsExactly("zp", "em", "country");
        }

        @Test
        void passesNonContactFieldsThroughUnhashed() {
            JsonNodeFactory nodes = JsonNodeFactory.instance;
            Map<String, JsonNode> other = new LinkedHashMap<>();
            other.put("client_ip_address", nodes.stringNode("203.0.113.7"));
            other.put("client_user_agent", nodes.stringNode("Mozilla/5.0"));
            other.put("fbc", nodes.stringNode("fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890"));
            other.put("fbp", nodes.stringNode("fb.1.1558571054389.1098115397"));
            UserData raw = new UserData(Map.of("em", List.of("a@x.com")), other);

            UserData hashed = normalizer.normalizeAndHash(raw);

            assertThat(hashed.otherFields()).isEqualTo(other);
            assertThat(hashed.customerInformation().get("em")).containsExactly(sha256("a@x.com"));
        }

        @Test
        void leavesEmptyUserDataEmpty() {
            assertThat(normalizer.normalizeAndHash(UserData.EMPTY).isEmpty()).isTrue();
        }

        @Test
        void rejectsAnUnknownCustomerInformationKey() {
            // Names the field, never the value: messages may be logged.
            UserData raw = new UserData(Map.of("email", List.of("secret@x.com")), Map.of());
            assertThatThrownBy(() -> normalizer.normalizeAndHash(raw))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("email")
                    .hasMessageNotContaining("secret");
        }

        @Test
        void givesTheSameHashesOnEveryThread() throws InterruptedException {
            List<String> expected = hashes("em", "a@x.com", "b@x.com");
            List<List<String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread[] threads = new Thread[4];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    for (int n = 0; n < 200; n++) {
                        seen.add(hashes("em", "a@x.com", "b@x.com"));
                    }
                });
                threads[i].start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(seen).hasSize(800).allSatisfy(h -> assertThat(h).isEqualTo(expected));
        }
    }

    private List<String> hashes(String field, String... values) {
        UserData hashed = normalizer.normalizeAndHash(userData(field, values));
        return hashed.customerInformation().getOrDefault(field, List.of());
    }

    private static UserData userData(String field, String... values) {
        return new UserData(Map.of(field, Arrays.asList(values)), Map.of());
    }

    /** Independent of the production hasher: a fresh digest per call. */
    private static String sha256(String value) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
