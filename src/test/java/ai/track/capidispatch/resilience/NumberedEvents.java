package ai.track.capidispatch.resilience;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Conversion events numbered by {@code custom_data.seq}, so each copy of an event can be followed through the
 * queue, the DLQ and the Graph API stand-in whatever its {@code event_id}: the producer's own, or the one the
 * worker derives when there is none. A poison event carries {@code custom_data.marker = "poison"}, which the
 * stand-in rejects the way Meta rejects an invalid event (code 100).
 */
public final class NumberedEvents {

    /** How a poison event's marker appears in the request the worker writes to Meta (compact JSON). */
    public static final String POISON_MARKER = "\"marker\":\"poison\"";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private NumberedEvents() {
    }

    /**
     * @param idPrefix the producer's {@code event_id} is {@code idPrefix + seq}; {@code null} sends none, so the
     *     worker derives one from the content
     */
    public static String body(int seq, String idPrefix, boolean poison, long eventTime) {
        String eventId = idPrefix == null ? "" : "\"event_id\": \"" + idPrefix + seq + "\", ";
        String marker = poison ? ", \"marker\": \"poison\"" : "";
        return """
                {"event": {"event_name": "Lead", "event_time": %d, %s"action_source": "system_generated",
                 "user_data": {"external_id": "crm-%d"}, "custom_data": {"seq": %d%s}}}
                """.formatted(eventTime, eventId, seq, seq, marker);
    }

    /** Sends the bodies in batches of ten, as a producer would. */
    public static void send(SqsClient sqs, String queueUrl, List<String> bodies) {
        for (int from = 0; from < bodies.size(); from += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(10);
            for (int i = from; i < Math.min(from + 10, bodies.size()); i++) {
                entries.add(SendMessageBatchRequestEntry.builder().id("m" + i).messageBody(bodies.get(i)).build());
            }
            var response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (!response.failed().isEmpty()) {
                throw new IllegalStateException("SQS refused " + response.failed().size() + " test messages");
            }
        }
    }

    /** The {@code custom_data.seq} of a message body as the producer sent it. */
    public static int seqOf(String messageBody) {
        return seqOf(JSON.readTree(messageBody).path("event"));
    }

    /** The {@code custom_data.seq} of one event, as sent to Meta or as found in a message body. */
    static int seqOf(JsonNode event) {
        JsonNode seq = event.path("custom_data").path("seq");
        if (!seq.isIntegralNumber()) {
            throw new IllegalStateException("event without custom_data.seq");
        }
        return seq.intValue();
    }

    static JsonMapper json() {
        return JSON;
    }
}
