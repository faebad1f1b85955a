package ai.track.capidispatch.dispatch;

/**
 * Events that may share one Meta request: same pixel (same URL and token), same {@code test_event_code}
 * (a request-level field).
 *
 * @param pixelId {@code null} for the secret's default pixel
 */
public record BatchKey(String pixelId, String testEventCode) {
}
