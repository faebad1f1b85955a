package ai.track.capidispatch.ops;

import static ai.track.capidispatch.ops.OpsTestSupport.conversion;
import static ai.track.capidispatch.ops.OpsTestSupport.deadLetter;
import static ai.track.capidispatch.ops.OpsTestSupport.drain;
import static ai.track.capidispatch.ops.OpsTestSupport.freshQueues;
import static ai.track.capidispatch.ops.OpsTestSupport.run;
import static ai.track.capidispatch.ops.OpsTestSupport.runInTerminal;
import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.ops.OpsTestSupport.Run;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class DlqInspectCommandTest {

    private final long fresh = Instant.now().getEpochSecond();
    private final long nineDaysOld = Instant.now().minus(Duration.ofDays(9)).getEpochSecond();

    @Test
    void tabulatesByErrorClassAndByReasonMostFrequentFirstAndLeavesEveryMessageVisible() {
        Queues queues = seededDlq();

        Run run = run(twoHoursLater(), "dlq", "inspect", "--dlq-url", queues.dlqUrl());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Scanned 6 messages").contains("all are visible again")
                .contains("""
                        ERROR CLASS    MESSAGES  OLDEST  EXPIRED  META ERROR CODES
                        INVALID_EVENT         3   2h 0m        1  -
                        META_REJECTED         2   2h 0m        0  100 ×1, 100/2804016 ×1
                        UNCLASSIFIED          1   2h 0m        0  -
                        """)
                .contains("""
                        ERROR CLASS    MESSAGES  OLDEST  META CODE         REASON
                        INVALID_EVENT         2   2h 0m  -                 event.event_name is missing
                        META_REJECTED         2   2h 0m  100, 100/2804016  Meta rejected the event: Invalid parameter
                        INVALID_EVENT         1   2h 0m  -                 event.action_source is missing
                        UNCLASSIFIED          1   2h 0m  -                 -
                        """)
                .doesNotContain("example.com");
        assertThat(run.err()).as("six messages are no long run").isEmpty();
        assertThat(drain(queues.dlqUrl())).as("nothing consumed, nothing left hidden").hasSize(6);
    }

    @Test
    void listsTheTwentyMostFrequentReasonsAndCountsTheRest() {
        Queues queues = freshQueues("inspect-reasons");
        for (int i = 0; i < 3; i++) {
            deadLetter(queues.dlqUrl(), conversion("t" + i, fresh), "RETRIES_EXHAUSTED", null, null, "Meta unavailable");
        }
        for (int i = 1; i <= 21; i++) {
            deadLetter(queues.dlqUrl(), conversion("i" + i, fresh), "INVALID_EVENT", null, null,
                    "event.custom_data.field_" + (i < 10 ? "0" : "") + i + " is invalid");
        }

        Run text = run(twoHoursLater(), "dlq", "inspect", "--dlq-url", queues.dlqUrl());
        Run json = run(twoHoursLater(), "dlq", "inspect", "--dlq-url", queues.dlqUrl(), "--json");

        List<String> rows = text.out().lines().dropWhile(line -> !line.contains("REASON")).skip(1)
                .takeWhile(line -> !line.isEmpty() && !line.startsWith("...")).toList();
        assertThat(rows).hasSize(20);
        assertThat(rows.get(0)).matches("RETRIES_EXHAUSTED +3 +2h 0m  - +Meta unavailable");
        assertThat(rows.get(19)).endsWith("event.custom_data.field_19 is invalid");
        assertThat(text.out()).contains("... and 2 more reasons (2 messages): --json lists them all.");
        JsonNode reasons = JsonMapper.builder().build().readTree(json.out()).get("reasons");
        assertThat(reasons).hasSize(22);
        assertThat(reasons.get(0).get("reason").asString()).isEqualTo("Meta unavailable");
        assertThat(reasons.get(0).get("messages").asInt()).isEqualTo(3);
    }

    @Test
    void onATerminalShowsHowFarTheScanIsOnALineItErasesBeforeTheReport() {
        Queues queues = seededDlq();

        Run run = runInTerminal(twoHoursLater(), "dlq", "inspect", "--dlq-url", queues.dlqUrl());

        assertThat(run.err()).startsWith("\r... ").contains("/6 scanned").doesNotContain("\n").endsWith("\r");
        assertThat(run.out()).startsWith("DLQ ").doesNotContain("\r", "scanned  ");
    }

    @Test
    void printsJsonForMachines() {
        Queues queues = seededDlq();

        Run run = run(twoHoursLater(), "dlq", "inspect", "--dlq-url", queues.dlqUrl(), "--json");

        JsonNode root = JsonMapper.builder().build().readTree(run.out());
        assertThat(root.get("scanned").asInt()).isEqualTo(6);
        assertThat(root.get("complete").asBoolean()).isTrue();
        JsonNode invalid = root.get("classes").get(0);
        assertThat(invalid.get("error_class").asString()).isEqualTo("INVALID_EVENT");
        assertThat(invalid.get("messages").asInt()).isEqualTo(3);
        assertThat(invalid.get("expired_events").asInt()).isEqualTo(1);
        assertThat(invalid.get("oldest_age_seconds").asLong()).isBetween(7_200L, 7_210L);
        assertThat(invalid.get("sample_reasons")).hasSize(2);
        JsonNode rejected = root.get("classes").get(1);
        assertThat(rejected.get("error_class").asString()).isEqualTo("META_REJECTED");
        assertThat(rejected.get("error_codes").get("100").asInt()).isEqualTo(1);
        assertThat(rejected.get("error_codes").get("100/2804016").asInt()).isEqualTo(1);
        JsonNode byReason = root.get("reasons");
        assertThat(byReason).hasSize(4);
        assertThat(byReason.get(1).get("error_class").asString()).isEqualTo("META_REJECTED");
        assertThat(byReason.get(1).get("reason").asString()).isEqualTo("Meta rejected the event: Invalid parameter");
        assertThat(byReason.get(1).get("messages").asInt()).isEqualTo(2);
        assertThat(byReason.get(1).get("error_codes").get("100/2804016").asInt()).isEqualTo(1);
        assertThat(byReason.get(3).get("error_class").asString()).isEqualTo("UNCLASSIFIED");
        assertThat(byReason.get(3).get("reason").isNull()).isTrue();
        assertThat(drain(queues.dlqUrl())).hasSize(6);
    }

    @Test
    void scansDistinctMessagesUpToMaxAndSaysTheScanIsIncomplete() {
        Queues queues = freshQueues("inspect-max");
        for (int i = 0; i < 25; i++) {
            deadLetter(queues.dlqUrl(), conversion("e" + i, fresh), "TRANSIENT", null, null, "timeout");
        }

        Run run = run(twoHoursLater(), "dlq", "inspect", "--dlq-url", queues.dlqUrl(), "--max", "12");

        assertThat(run.out()).contains("Scanned 12 messages (SQS counted about 25)")
                .contains("Incomplete: stopped at --max 12").containsPattern("TRANSIENT +12 ");
        List<Message> all = drain(queues.dlqUrl());
        Set<String> ids = new HashSet<>();
        all.forEach(message -> ids.add(message.messageId()));
        assertThat(ids).hasSize(25);
    }

    @Test
    void saysSoWhenTheDlqIsEmpty() {
        Queues queues = freshQueues("inspect-empty");

        Run run = run(twoHoursLater(), "dlq", "inspect", "--dlq-url", queues.dlqUrl());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Scanned 0 messages").contains("The DLQ is empty.");
    }

    /** Two hours after the messages were dead-lettered: ages are exact to the second. */
    private static Clock twoHoursLater() {
        return Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
    }

    /** INVALID_EVENT ×3 (one 9 days old), META_REJECTED ×2 (codes 100 and 100/2804016), one without attributes. */
    private Queues seededDlq() {
        Queues queues = freshQueues("inspect");
        deadLetter(queues.dlqUrl(), conversion("a", fresh), "INVALID_EVENT", null, null, "event.event_name is missing");
        deadLetter(queues.dlqUrl(), conversion("b", fresh), "INVALID_EVENT", null, null, "event.event_name is missing");
        deadLetter(queues.dlqUrl(), conversion("c", nineDaysOld), "INVALID_EVENT", null, null,
                "event.action_source is missing");
        deadLetter(queues.dlqUrl(), conversion("d", fresh), "META_REJECTED", 100, null,
                "Meta rejected the event: Invalid parameter");
        deadLetter(queues.dlqUrl(), conversion("e", fresh), "META_REJECTED", 100, 2804016,
                "Meta rejected the event: Invalid parameter");
        OpsTestSupport.sqs().sendMessage(b -> b.queueUrl(queues.dlqUrl()).messageBody(conversion("f", fresh)));
        return queues;
    }
}
