package ai.track.capidispatch.dispatch;

import java.util.List;

/**
 * Events for one Meta request: one pixel, one {@code test_event_code}, up to Meta's 1,000 events, already
 * validated and hashed.
 */
public record PixelBatch(String pixelId, String testEventCode, List<ServerEvent> events) {

    public static final int META_MAX_EVENTS = 1000;

    public PixelBatch {
        events = List.copyOf(events);
        if (events.isEmpty() || events.size() > META_MAX_EVENTS) {
            throw new IllegalArgumentException("a batch holds 1.." + META_MAX_EVENTS + " events, not " + events.size());
        }
    }
}
