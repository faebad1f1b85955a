package ai.track.capidispatch.security;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * Whoever can put a message on the queue controls its body, nothing else. Hostile bodies are dead-lettered
 * with a reason, and never turn into a request to Meta — least of all to a path other than the events edge
 * of a pixel the secret names.
 */
class HostileMessageEndToEndTest extends WorkerUnderAttack {

    private static final int SQS_MAX_BYTES = 1024 * 1024;

    @Test
    void deadLettersEachHostileBodyWithAReasonAndNeverCallsMeta() {
        long now = Instant.now().getEpochSecond();
        Map<String, String> bodies = Map.of(
                "traversal", event("\"pixel_id\": \"../../me\", ", "h-traversal", now),
                "encoded traversal", event("\"pixel_id\": \"..%2F..%2Fme\", ", "h-encoded", now),
                "5000 digit id", event("\"pixel_id\": \"" + "7".repeat(5_000) + "\", ", "h-long-id", now),
                "5000 digit number", event("\"pixel_id\": " + "7".repeat(5_000) + ", ", "h-long-number", now),
                "nesting 100", "{\"event\": " + "{\"a\": ".repeat(100) + "1" + "}".repeat(100) + "}",
                "wrong types", """
                        {"pixel_id": ["123"], "event": {"event_name": 5, "event_time": "yesterday",
                         "user_data": "joe@example.com"}}""",
                "event not an object", "{\"event\": \"DROP TABLE\"}",
                "a 1 MiB body", oneMebibyteBody());
        bodies.values().forEach(this::send);

        List<Message> deadLetters = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            deadLetters.addAll(StandIns.takeAll(QUEUES.dlqUrl()));
            return deadLetters.size() >= bodies.size();
        });

        // A body of the full 1 MiB leaves SQS no room for the capi-* attributes beside it: its copy goes without
        // them (the DeadLettered log line carries the reason) rather than being refused at every receive.
        Message fullSize = deadLetters.stream().filter(m -> m.body().equals(bodies.get("a 1 MiB body"))).findFirst()
                .orElseThrow();
        assertThat(fullSize.messageAttributes()).as("no room beside 1 MiB").isEmpty();
        deadLetters.remove(fullSize);
        assertThat(deadLetters).hasSize(bodies.size() - 1).allSatisfy(m -> {
            assertThat(StandIns.errorClass(m)).isIn("INVALID_MESSAGE", "INVALID_EVENT");
            assertThat(StandIns.errorMessage(m)).isNotBlank().doesNotContain("joe@example.com");
        });
        Map<String, String> reasonByBody = deadLetters.stream().collect(Collectors.toMap(
                m -> keyOf(bodies, m.body()), m -> StandIns.errorClass(m) + ": " + StandIns.errorMessage(m)));
        assertThat(reasonByBody.get("traversal")).startsWith("INVALID_EVENT").contains("pixel_id");
        assertThat(reasonByBody.get("encoded traversal")).startsWith("INVALID_EVENT").contains("pixel_id");
        assertThat(reasonByBody.get("5000 digit id")).startsWith("INVALID_EVENT").contains("pixel_id");
        assertThat(reasonByBody.get("5000 digit number")).startsWith("INVALID_MESSAGE").contains("parser limit");
        assertThat(reasonByBody.get("nesting 100")).startsWith("INVALID_MESSAGE").contains("parser limit");
        assertThat(reasonByBody.get("wrong types")).startsWith("INVALID_MESSAGE").contains("pixel_id");
        assertThat(reasonByBody.get("event not an object")).startsWith("INVALID_MESSAGE").contains("event");

        wireMock.verify(0, postRequestedFor(urlPathMatching("/v.*")));
        StandIns.assertNoUnexpectedRequests();
    }

    @Test
    void aBodyOverOneMebibyteNeverReachesTheWorkerBecauseSqsRefusesIt() {
        // SQS's limit is the worker's: anything larger cannot be queued at all. The worker's own check of the
        // size (ConversionMessageParser) is there for a queue that would accept more.
        String body = "{\"event\": {\"event_name\": \"" + "x".repeat(SQS_MAX_BYTES) + "\"}}";

        assertThatThrownBy(() -> send(body)).isInstanceOf(SqsException.class).hasMessageContaining("MessageTooLong");
    }

    /**
     * Exactly SQS's maximum: a valid envelope around one string far over the parser's 64 KiB limit. (Real SQS
     * counts message attributes toward the same 1 MiB, so its DLQ would refuse this copy with the worker's
     * attributes; ElasticMQ counts the body only. See docs/security.md.)
     */
    private static String oneMebibyteBody() {
        String head = "{\"event\": {\"event_name\": \"Lead\", \"custom_data\": {\"note\": \"";
        String tail = "\"}}}";
        return head + "A".repeat(SQS_MAX_BYTES - head.length() - tail.length()) + tail;
    }

    private static String event(String pixelField, String eventId, long eventTime) {
        return """
                {%s"event": {"event_name": "Lead", "event_time": %d, "event_id": "%s",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-1"}}}
                """.formatted(pixelField, eventTime, eventId);
    }

    private static String keyOf(Map<String, String> bodies, String body) {
        return bodies.entrySet().stream().filter(e -> e.getValue().equals(body)).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("a dead letter whose body was changed"));
    }
}
