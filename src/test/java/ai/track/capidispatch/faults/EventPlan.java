package ai.track.capidispatch.faults;

import ai.track.capidispatch.resilience.NumberedEvents;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the fault harness sends: events numbered {@code 0..n-1} by {@code custom_data.seq}, most of them good,
 * a few dozen poison of every kind the worker dead-letters by itself, each with the {@code capi-error-class}
 * it must arrive in the DLQ with. The kind of an event follows from its number alone, so the harness and its
 * checks agree without sharing state.
 */
final class EventPlan {

    /** A pixel the secret has no credentials for. */
    static final String UNKNOWN_PIXEL_ID = "999999999999999";

    /** The kinds of event, and the DLQ class each must end up with ({@code null}: delivered, never dead-lettered). */
    enum Kind {
        GOOD(null),
        /** Valid for the worker; the stand-in rejects any request holding it with code 100, as Meta would. */
        META_POISON("META_REJECTED"),
        /** Not JSON (cut off): never sent. */
        MALFORMED("INVALID_MESSAGE"),
        /** No {@code event_name}: never sent. */
        INVALID_EVENT("INVALID_EVENT"),
        /** {@code event_time} eight days ago: never sent. */
        EXPIRED("EXPIRED"),
        /** A {@code pixel_id} the secret does not know: never sent. */
        UNKNOWN_PIXEL("UNKNOWN_PIXEL");

        private final String errorClass;

        Kind(String errorClass) {
            this.errorClass = errorClass;
        }

        /** The {@code capi-error-class} of its DLQ copy; {@code null} for a good event. */
        String errorClass() {
            return errorClass;
        }

        boolean poison() {
            return this != GOOD;
        }

        /** Poison the worker finds without asking Meta: it must never reach the stand-in. */
        boolean local() {
            return this != GOOD && this != META_POISON;
        }
    }

    private static final Kind[] LOCAL_KINDS = {Kind.MALFORMED, Kind.INVALID_EVENT, Kind.EXPIRED, Kind.UNKNOWN_PIXEL};
    private static final Pattern SEQ = Pattern.compile("\"seq\"\\s*:\\s*(\\d+)");

    private final int events;

    EventPlan(int events) {
        this.events = events;
    }

    int events() {
        return events;
    }

    /**
     * One event in a hundred is Meta poison, one in two hundred local poison (the four kinds in turn), so every
     * stretch of the stream, and so every phase of faults, holds some.
     */
    static Kind kindOf(int seq) {
        if (seq % 100 == 71) {
            return Kind.META_POISON;
        }
        if (seq % 200 == 37) {
            return LOCAL_KINDS[(seq / 200) % LOCAL_KINDS.length];
        }
        return Kind.GOOD;
    }

    /** Every eighth event comes without an {@code event_id}, so the worker derives one from its content. */
    static String producerEventId(int seq) {
        return seq % 8 == 3 ? null : "harness-" + seq;
    }

    Map<Kind, Integer> countsByKind() {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        for (int seq = 0; seq < events; seq++) {
            counts.merge(kindOf(seq), 1, Integer::sum);
        }
        return counts;
    }

    /** The message body of event {@code seq}, with {@code event_time} {@code now} (epoch seconds). */
    static String body(int seq, long now) {
        String eventId = producerEventId(seq);
        String idPrefix = eventId == null ? null : "harness-";
        switch (kindOf(seq)) {
            case GOOD:
                return NumberedEvents.body(seq, idPrefix, false, now);
            case META_POISON:
                return NumberedEvents.body(seq, idPrefix, true, now);
            case MALFORMED:
                return "{\"event\": {\"event_name\": \"Lead\", \"custom_data\": {\"seq\": " + seq + "}";
            case INVALID_EVENT:
                return NumberedEvents.body(seq, idPrefix, false, now).replace("\"event_name\": \"Lead\", ", "");
            case EXPIRED:
                return NumberedEvents.body(seq, idPrefix, false, now - Duration.ofDays(8).toSeconds());
            case UNKNOWN_PIXEL:
                return "{\"pixel_id\": \"" + UNKNOWN_PIXEL_ID + "\", "
                        + NumberedEvents.body(seq, idPrefix, false, now).substring(1);
            default:
                throw new IllegalStateException("unknown kind " + kindOf(seq));
        }
    }

    /** The seq of a message body, read without parsing: malformed bodies carry one too. */
    static OptionalInt seqOf(String body) {
        Matcher matcher = SEQ.matcher(body);
        return matcher.find() ? OptionalInt.of(Integer.parseInt(matcher.group(1))) : OptionalInt.empty();
    }
}
