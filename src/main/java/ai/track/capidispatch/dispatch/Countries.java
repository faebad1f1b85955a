package ai.track.capidispatch.dispatch;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;

/**
 * ISO 3166-1 alpha-2 codes, in lowercase, for what producers put in {@code country}: alpha-2 and alpha-3
 * codes in any case, English country names as the JDK spells them, and a few aliases. Built once per
 * instance from the JDK's locale data, so new ISO codes arrive with JDK updates instead of a hand list.
 *
 * <p>Lookups ignore case, accents, spaces and punctuation ({@code U.S.}, {@code Côte d’Ivoire},
 * {@code cote divoire}).
 */
final class Countries {

    /**
     * Names people write that are neither ISO codes nor the JDK's English names. Kept short on purpose:
     * each one is a guess about what a producer meant. {@code UK} is reserved by ISO for the United Kingdom,
     * and its constituent countries are not ISO 3166-1 entries at all.
     */
    private static final Map<String, String> ALIASES = Map.of(
            "unitedstatesofamerica", "us",
            "uk", "gb",
            "greatbritain", "gb",
            "england", "gb",
            "scotland", "gb",
            "wales", "gb",
            "northernireland", "gb");

    private final Map<String, String> alpha2ByKey;

    Countries() {
        Map<String, String> byKey = new HashMap<>(ALIASES);
        for (String upper : Locale.getISOCountries()) {
            String alpha2 = upper.toLowerCase(Locale.ROOT);
            Locale country = new Locale("", upper);
            byKey.put(alpha2, alpha2);
            byKey.putIfAbsent(key(alpha3(country)), alpha2);
            String englishName = country.getDisplayCountry(Locale.ENGLISH);
            byKey.putIfAbsent(key(englishName), alpha2);
            // "Myanmar (Burma)": people write one of the two names, not both.
            byKey.putIfAbsent(key(englishName.replaceAll("\\(.*\\)", "")), alpha2);
        }
        byKey.remove("");
        this.alpha2ByKey = Map.copyOf(byKey);
    }

    /** The lowercase alpha-2 code, or {@code ""} when the value names no country we know. */
    String alpha2(String value) {
        return alpha2ByKey.getOrDefault(key(value), "");
    }

    private static String alpha3(Locale country) {
        try {
            return country.getISO3Country();
        } catch (MissingResourceException noAlpha3) {
            return "";
        }
    }

    /** Lowercase letters only, accents removed, so that typed and official spellings meet. */
    private static String key(String value) {
        String decomposed = Normalizer.normalize(value, Normalizer.Form.NFD);
        StringBuilder key = new StringBuilder(decomposed.length());
        decomposed.toLowerCase(Locale.ROOT).codePoints()
                .filter(Character::isLetter)
                .forEach(key::appendCodePoint);
        return key.toString();
    }
}
