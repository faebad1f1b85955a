package ai.track.capidispatch.dispatch;

import java.util.Optional;

/**
 * Parse → validate → event id → normalize and hash: the CPU-only stages, in the order that matters. Each
 * stage is its own type; this one only sequences them.
 */
public final class EventPreparer {

    private final ConversionMessageParser parser;
    private final EventValidator validator;
    private final EventIdGenerator eventIds;
    private final UserDataNormalizer normalizer;

    public EventPreparer(ConversionMessageParser parser, EventValidator validator, EventIdGenerator eventIds,
            UserDataNormalizer normalizer) {
        this.parser = parser;
        this.validator = validator;
        this.eventIds = eventIds;
        this.normalizer = normalizer;
    }

    public PreparedMessage prepare(String body) {
        ParseResult parsed = parser.parse(body);
        if (parsed instanceof ParseResult.Rejected rejected) {
            return rejected(ErrorClass.INVALID_MESSAGE, rejected.reason());
        }
        ConversionMessage message = ((ParseResult.Parsed) parsed).message();
        // Before the event id and hashing: an event Meta would reject is never sent, and would cost the
        // other events of its request their delivery (Meta rejects a request for one bad event).
        Optional<EventValidator.Violation> violation = validator.validate(message);
        if (violation.isPresent()) {
            return rejected(violation.get().errorClass(), violation.get().reason());
        }
        return new PreparedMessage.Ready(new BatchKey(message.pixelId(), message.testEventCode()),
                forMeta(message.pixelId(), message.event()));
    }

    /**
     * The event as Meta must receive it. The event id is derived from the raw content, before hashing, so a
     * change to the normalization rules cannot change the id of a message already on the queue.
     */
    private ServerEvent forMeta(String pixelId, ServerEvent event) {
        ServerEvent withId = event.eventId() == null || event.eventId().isBlank()
                ? event.withEventId(eventIds.deriveEventId(pixelId, event))
                : event;
        return withId.withUserData(normalizer.normalizeAndHash(withId.userData()));
    }

    private static PreparedMessage rejected(ErrorClass errorClass, String reason) {
        return new PreparedMessage.Rejected(new DispatchOutcome.DeadLetter(errorClass, reason, null));
    }
}
