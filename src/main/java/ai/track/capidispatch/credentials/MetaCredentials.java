package ai.track.capidispatch.credentials;

/**
 * What one pixel needs to call Meta.
 *
 * @param appSecret optional; when present every request carries {@code appsecret_proof}
 */
public record MetaCredentials(String pixelId, String accessToken, String appSecret) {

    /** Secrets never reach a log line, not even by accident through string concatenation. */
    @Override
    public String toString() {
        return "MetaCredentials[pixelId=" + pixelId + ", accessToken=***, appSecret="
                + (appSecret == null ? "none" : "***") + "]";
    }
}
