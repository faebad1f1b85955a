package ai.track.capidispatch.credentials;

import java.util.Map;
import java.util.Optional;

/**
 * One immutable snapshot of the secret (contract §2): every pixel's credentials and which pixel a message
 * without {@code pixel_id} goes to. Replaced whole on refresh, never edited.
 *
 * @param defaultPixelId the secret's top-level {@code pixel_id}, or {@code null} in the multi-pixel form
 */
public record MetaSecret(String defaultPixelId, Map<String, MetaCredentials> pixels) {

    public MetaSecret {
        pixels = Map.copyOf(pixels);
    }

    /** @param pixelId the message's pixel, or {@code null} for the default pixel */
    public Optional<MetaCredentials> forPixel(String pixelId) {
        String wanted = pixelId != null ? pixelId : defaultPixelId;
        return wanted == null ? Optional.empty() : Optional.ofNullable(pixels.get(wanted));
    }

    @Override
    public String toString() {
        return "MetaSecret[defaultPixelId=" + defaultPixelId + ", pixels=" + pixels.keySet() + "]";
    }
}
