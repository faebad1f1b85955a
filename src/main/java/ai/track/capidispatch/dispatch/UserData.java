package ai.track.capidispatch.dispatch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Meta's {@code user_data}: the customer-information parameters that Meta wants normalized and SHA-256
 * hashed, and every other parameter (IP, user agent, fbc, fbp, ...) which is passed through unchanged.
 *
 * @param customerInformation values of the {@link #CUSTOMER_INFORMATION_FIELDS}, keyed by Meta's field name,
 *     raw or already hashed depending on the pipeline stage; a single string arrives as a one-element list
 * @param otherFields every other {@code user_data} field, never hashed
 */
public record UserData(Map<String, List<String>> customerInformation, Map<String, JsonNode> otherFields) {

    /** The fields Meta requires to be normalized and hashed (customer information parameters). */
    public static final Set<String> CUSTOMER_INFORMATION_FIELDS =
            Set.of("em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id");

    public static final UserData EMPTY = new UserData(Map.of(), Map.of());

    public UserData {
        customerInformation = Collections.unmodifiableMap(new LinkedHashMap<>(customerInformation));
        otherFields = Collections.unmodifiableMap(new LinkedHashMap<>(otherFields));
    }

    public UserData withCustomerInformation(Map<String, List<String>> replacement) {
        return new UserData(replacement, otherFields);
    }

    public boolean isEmpty() {
        return customerInformation.isEmpty() && otherFields.isEmpty();
    }

    /** Names the fields only: values are customer data and must never reach a log line. */
    @Override
    public String toString() {
        return "UserData[customerInformation=" + customerInformation.keySet() + ", otherFields="
                + otherFields.keySet() + "]";
    }
}
