package ai.track.capidispatch.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The {@code PixelId} dimension's value for a pixel, bounded: every distinct value is a CloudWatch metric
 * of its own, billed monthly, so only the first {@code limit} pixels seen get their own value and the rest
 * share {@value #OTHER}. Pixels come from the credentials secret, so the limit is a guard against a secret
 * with very many pixels (or many rotations adding new ones), not an everyday path. A pixel keeps its value
 * for the life of the process.
 */
final class PixelTags {

    /** Pixels past the limit, and a message whose pixel cannot be named (no default pixel in the secret). */
    static final String OTHER = "other";

    private final int limit;
    private final Supplier<String> defaultPixel;
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    /**
     * @param defaultPixel the secret's default pixel, for a message without {@code pixel_id}; may return
     *     {@code null} or throw, both read as {@value #OTHER}
     */
    PixelTags(int limit, Supplier<String> defaultPixel) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        this.limit = limit;
        this.defaultPixel = defaultPixel;
    }

    /** @param pixelId a pixel id, or {@code null} for the secret's default pixel */
    String of(String pixelId) {
        String pixel = pixelId != null ? pixelId : defaultPixel();
        if (pixel == null) {
            return OTHER;
        }
        if (admitted.contains(pixel)) {
            return pixel;
        }
        synchronized (admitted) {
            // Checked again under the lock: another thread may have admitted this pixel, or filled the last place.
            if (admitted.size() < limit || admitted.contains(pixel)) {
                admitted.add(pixel);
                return pixel;
            }
        }
        return OTHER;
    }

    private String defaultPixel() {
        try {
            return defaultPixel.get();
        } catch (RuntimeException e) {
            return null; // no secret readable right now: a metric is no reason to fail a delivered message
        }
    }
}
