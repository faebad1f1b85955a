package ai.track.capidispatch.meta;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Meta's {@code appsecret_proof}: proves that the caller holds the app secret as well as the access token, so a
 * leaked token alone is useless when the app requires the proof (contract §2).
 */
public final class AppSecretProof {

    private static final String HMAC_SHA256 = "HmacSHA256";

    private AppSecretProof() {
    }

    /**
     * Lowercase hex HMAC-SHA256 with the app secret as key and the access token as message, as Meta's Graph API
     * and business SDKs compute it.
     *
     * @throws IllegalArgumentException if {@code appSecret} is empty (an HMAC key cannot be); a missing secret
     *     means "send no proof", which is the caller's decision
     */
    public static String of(String appSecret, String accessToken) {
        Objects.requireNonNull(appSecret, "appSecret");
        Objects.requireNonNull(accessToken, "accessToken");
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(new SecretKeySpec(appSecret.getBytes(UTF_8), HMAC_SHA256));
            return HexFormat.of().formatHex(mac.doFinal(accessToken.getBytes(UTF_8)));
        } catch (GeneralSecurityException impossible) {
            // Every Java platform must provide HmacSHA256 (Mac javadoc), and it accepts any non-empty key.
            throw new IllegalStateException("HmacSHA256 unavailable", impossible);
        }
    }
}
