package ai.track.capidispatch.ops;

import ai.track.capidispatch.dispatch.ConversionMessageParser;
import ai.track.capidispatch.dispatch.ParseResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Meta's 7-day window: an event whose {@code event_time} is older is rejected, and with it the whole request
 * it travels in, so a message holding one must not go back to the queue.
 */
final class EventWindow {

    static final Duration MAX_AGE = Duration.ofDays(7);

    private final ConversionMessageParser parser = new ConversionMessageParser();

    /** {@code event.event_time} of a message body; empty when the body is not a conversion message or has none. */
    Optional<Instant> eventTime(String body) {
        if (parser.parse(body) instanceof ParseResult.Parsed parsed && parsed.message().event().eventTime() != null) {
            return Optional.of(Instant.ofEpochSecond(parsed.message().event().eventTime()));
        }
        return Optional.empty();
    }

    static boolean isExpired(Instant eventTime, Instant now) {
        return eventTime.isBefore(now.minus(MAX_AGE));
    }
}
