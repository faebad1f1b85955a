package ai.track.capidispatch.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Takes one message from parse to Meta's answer and says what should become of it. It sequences the
 * stages; each stage lives in its own type.
 */
public final class CapiDispatchService {

    private final ConversionMessageParser parser;
    private final EventValidator validator;
    private final EventIdGenerator eventIds;
    private final UserDataNormalizer normalizer;
    private final ConversionsGateway gateway;
    private final DispatchMetrics metrics;
    private final Clock clock;

    public CapiDispatchService(ConversionMessageParser parser, EventValidator validator, EventIdGenerator eventIds,
            UserDataNormalizer normalizer, ConversionsGateway gateway, DispatchMetrics metrics, Clock clock) {
        this.parser = parser;
        this.validator = validator;
        this.eventIds = eventIds;
        this.normalizer = normalizer;
        this.gateway = gateway;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Never throws for a bad message or a failing Meta: both are outcomes. An exception means a bug or an
     * infrastructure failure, and the listener leaves the message on the queue.
     */
    public DispatchOutcome dispatch(IncomingMessage incoming) {
        DispatchOutcome outcome = process(incoming);
        metrics.recordOutcome(outcome);
        if (outcome instanceof DispatchOutcome.Delivered && incoming.sentAt() != null) {
            metrics.recordDispatchLatency(Duration.between(incoming.sentAt(), clock.instant()));
        }
        return outcome;
    }

    private DispatchOutcome process(IncomingMessage incoming) {
        ParseResult parsed = parser.parse(incoming.body());
        if (parsed instanceof ParseResult.Rejected rejected) {
            return new DispatchOutcome.DeadLetter(ErrorClass.INVALID_MESSAGE, rejected.reason(), null);
        }
        ConversionMessage message = ((ParseResult.Parsed) parsed).message();
        // Before the event id and hashing: an event Meta would reject is never sent, and would cost the
        // other events of its request their delivery (Meta rejects a request for one bad event).
        Optional<EventValidator.Violation> violation = validator.validate(message);
        if (violation.isPresent()) {
            return new DispatchOutcome.DeadLetter(violation.get().errorClass(), violation.get().reason(), null);
        }
        PixelBatch batch = new PixelBatch(message.pixelId(), message.testEventCode(),
                List.of(prepare(message.pixelId(), message.event())));
        return toOutcome(gateway.send(batch));
    }

    /**
     * The event as Meta must receive it. The event id is derived from the raw content, before hashing, so a
     * change to the normalization rules cannot change the id of a message already on the queue.
     */
    private ServerEvent prepare(String pixelId, ServerEvent event) {
        ServerEvent withId = event.eventId() == null || event.eventId().isBlank()
                ? event.withEventId(eventIds.deriveEventId(pixelId, event))
                : event;
        return withId.withUserData(normalizer.normalizeAndHash(withId.userData()));
    }

    static DispatchOutcome toOutcome(GatewayResult result) {
        switch (result.verdict()) {
            case DELIVERED:
                return new DispatchOutcome.Delivered(result.fbtraceId());
            case RETRY:
                return new DispatchOutcome.RetryLater(result.errorClass(), result.reason(), result.error(),
                        result.retryAfter());
            case DEAD_LETTER:
                return new DispatchOutcome.DeadLetter(result.errorClass(), result.reason(), result.error());
            case HOLD:
                return new DispatchOutcome.Held(result.errorClass(), result.reason(), result.error());
            default:
                throw new IllegalStateException("unknown verdict " + result.verdict());
        }
    }
}
