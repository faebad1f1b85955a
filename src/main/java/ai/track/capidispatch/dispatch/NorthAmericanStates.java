package ai.track.capidispatch.dispatch;

import java.util.Map;

/**
 * Full names of US states, DC, the inhabited US territories, and Canadian provinces and territories, mapped
 * to their 2-letter postal codes, which Meta wants for {@code st}. The list matches capi-param-builder's
 * (plus DC and the US territories); there is no list for other countries, whose regions keep the generic
 * form.
 */
final class NorthAmericanStates {

    /** Keys are in the compact form produced by {@link CustomerInformationNormalizer#lettersMarksAndDigits}. */
    private static final Map<String, String> CODES_BY_NAME = Map.ofEntries(
            Map.entry("alabama", "al"), Map.entry("alaska", "ak"), Map.entry("arizona", "az"),
            Map.entry("arkansas", "ar"), Map.entry("california", "ca"), Map.entry("colorado", "co"),
            Map.entry("connecticut", "ct"), Map.entry("delaware", "de"), Map.entry("florida", "fl"),
            Map.entry("georgia", "ga"), Map.entry("hawaii", "hi"), Map.entry("idaho", "id"),
            Map.entry("illinois", "il"), Map.entry("indiana", "in"), Map.entry("iowa", "ia"),
            Map.entry("kansas", "ks"), Map.entry("kentucky", "ky"), Map.entry("louisiana", "la"),
            Map.entry("maine", "me"), Map.entry("maryland", "md"), Map.entry("massachusetts", "ma"),
            Map.entry("michigan", "mi"), Map.entry("minnesota", "mn"), Map.entry("mississippi", "ms"),
            Map.entry("missouri", "mo"), Map.entry("montana", "mt"), Map.entry("nebraska", "ne"),
            Map.entry("nevada", "nv"), Map.entry("newhampshire", "nh"), Map.entry("newjersey", "nj"),
            Map.entry("newmexico", "nm"), Map.entry("newyork", "ny"), Map.entry("northcarolina", "nc"),
            Map.entry("northdakota", "nd"), Map.entry("ohio", "oh"), Map.entry("oklahoma", "ok"),
            Map.entry("oregon", "or"), Map.entry("pennsylvania", "pa"), Map.entry("rhodeisland", "ri"),
            Map.entry("southcarolina", "sc"), Map.entry("southdakota", "sd"), Map.entry("tennessee", "tn"),
            Map.entry("texas", "tx"), Map.entry("utah", "ut"), Map.entry("vermont", "vt"),
            Map.entry("virginia", "va"), Map.entry("washington", "wa"), Map.entry("westvirginia", "wv"),
            Map.entry("wisconsin", "wi"), Map.entry("wyoming", "wy"),
            Map.entry("districtofcolumbia", "dc"), Map.entry("washingtondc", "dc"),
            Map.entry("puertorico", "pr"), Map.entry("guam", "gu"), Map.entry("americansamoa", "as"),
            Map.entry("northernmarianaislands", "mp"), Map.entry("usvirginislands", "vi"),
            Map.entry("alberta", "ab"), Map.entry("britishcolumbia", "bc"), Map.entry("manitoba", "mb"),
            Map.entry("newbrunswick", "nb"), Map.entry("newfoundlandandlabrador", "nl"),
            Map.entry("newfoundland", "nl"), Map.entry("novascotia", "ns"), Map.entry("ontario", "on"),
            Map.entry("princeedwardisland", "pe"), Map.entry("quebec", "qc"), Map.entry("qu\u00e9bec", "qc"),
            Map.entry("saskatchewan", "sk"), Map.entry("northwestterritories", "nt"),
            Map.entry("nunavut", "nu"), Map.entry("yukon", "yt"));

    private NorthAmericanStates() {
    }

    /**
     * @param compact the value lowercased with only letters and digits left
     * @return the postal code for a known name; otherwise {@code compact} itself, which already is Meta's
     *     form for a 2-letter code and for non-US regions
     */
    static String code(String compact) {
        return CODES_BY_NAME.getOrDefault(compact, compact);
    }
}
