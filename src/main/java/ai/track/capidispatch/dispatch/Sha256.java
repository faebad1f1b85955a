package ai.track.capidispatch.dispatch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a string's UTF-8 bytes as lowercase hex, the form Meta expects for customer information.
 *
 * <p>Hashing runs for every value of every event, so each thread reuses one {@link MessageDigest} instead of
 * asking the security providers for a new one per value. The {@code ThreadLocal} holds only that digest
 * object (reset before each use), no configuration or data.
 */
final class Sha256 {

    private static final HexFormat HEX = HexFormat.of();

    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(Sha256::newDigest);

    String hex(String value) {
        return HEX.formatHex(digest(value));
    }

    byte[] digest(String value) {
        MessageDigest digest = digests.get();
        // digest() resets on completion, but a digest left half-used by an exception would corrupt the next hash.
        digest.reset();
        return digest.digest(value.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest javadoc), so this is a broken JVM.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
