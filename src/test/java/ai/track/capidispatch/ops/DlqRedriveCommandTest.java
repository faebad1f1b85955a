package ai.track.capidispatch.ops;

import static ai.track.capidispatch.ops.OpsTestSupport.bodies;
import static ai.track.capidispatch.ops.OpsTestSupport.conversion;
import static ai.track.capidispatch.ops.OpsTestSupport.deadLetter;
import static ai.track.capidispatch.ops.OpsTestSupport.drain;
import static ai.track.capidispatch.ops.OpsTestSupport.freshQueues;
import static ai.track.capidispatch.ops.OpsTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.ops.OpsTestSupport.Run;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

class DlqRedriveCommandTest {

    private static final Instant NOW = Instant.parse("2026-09-14T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final long ONE_DAY_OLD = NOW.minus(Duration.ofDays(1)).getEpochSecond();
    private static final long EIGHT_DAYS_OLD = NOW.minus(Duration.ofDays(8)).getEpochSecond();

    @Test
    void movesOnlyTheChosenClassWithBodiesUnchangedAndWithoutTheWorkersAttributes() {
        Queues queues = freshQueues("redrive-filter");
        String transient1 = conversion("r1", ONE_DAY_OLD);
        String transient2 = conversion("r2", ONE_DAY_OLD);
        deadLetter(queues.dlqUrl(), transient1, "TRANSIENT", null, null, "Meta timed out");
        deadLetter(queues.dlqUrl(), transient2, "TRANSIENT", 2, null, "Meta answered 500");
        deadLetter(queues.dlqUrl(), conversion("i1", ONE_DAY_OLD), "INVALID_EVENT", null, null,
                "event.event_name is missing");
        deadLetter(queues.dlqUrl(), conversion("m1", ONE_DAY_OLD), "META_REJECTED", 100, null, "Invalid parameter");

        Run run = redrive(queues, "--error-class", "TRANSIENT");

        assertThat(run.exitCode()).isZero();
        List<Message> moved = drain(queues.queueUrl());
        assertThat(bodies(moved)).containsExactlyInAnyOrder(transient1, transient2);
        assertThat(moved).allSatisfy(message -> assertThat(message.messageAttributes()).isEmpty());
        List<Message> left = drain(queues.dlqUrl());
        assertThat(left).extracting(message -> message.messageAttributes().get("capi-error-class").stringValue())
                .containsExactlyInAnyOrder("INVALID_EVENT", "META_REJECTED");
        assertThat(run.out()).containsPattern("moved +2").containsPattern("skipped-expired +0")
                .containsPattern("skipped-filtered +2").containsPattern("failed +0");
    }

    @Test
    void leavesEventsOlderThanSevenDaysInTheDlqAndNamesThem() {
        Queues queues = freshQueues("redrive-expired");
        String expiredId = deadLetter(queues.dlqUrl(), conversion("old", EIGHT_DAYS_OLD), "TRANSIENT", null, null,
                "timeout");
        String fresh = conversion("new", ONE_DAY_OLD);
        deadLetter(queues.dlqUrl(), fresh, "TRANSIENT", null, null, "timeout");
        // Not a conversion message: its age is unknown, so it moves and the worker judges it again.
        deadLetter(queues.dlqUrl(), "not json", "INVALID_MESSAGE", null, null, "body is not valid JSON");

        Run run = redrive(queues);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("expired, left in the DLQ: " + expiredId + " (event_time "
                + Instant.ofEpochSecond(EIGHT_DAYS_OLD) + ", 8d 0h old)")
                .containsPattern("moved +2").containsPattern("skipped-expired +1");
        assertThat(bodies(drain(queues.queueUrl()))).containsExactlyInAnyOrder(fresh, "not json");
        assertThat(drain(queues.dlqUrl())).extracting(Message::messageId).containsExactly(expiredId);
    }

    @Test
    void aFailedSendLeavesTheMessageInTheDlq() {
        Queues queues = freshQueues("redrive-fail");
        deadLetter(queues.dlqUrl(), conversion("a", ONE_DAY_OLD), "TRANSIENT", null, null, "timeout");
        deadLetter(queues.dlqUrl(), conversion("b", ONE_DAY_OLD), "TRANSIENT", null, null, "timeout");

        Run run = run(CLOCK, "dlq", "redrive", "--dlq-url", queues.dlqUrl(), "--queue-url",
                queues.queueUrl() + "-does-not-exist", "--rate", "1000");

        assertThat(run.exitCode()).isEqualTo(OperatorCommands.INCOMPLETE);
        assertThat(run.out()).contains("failed, left in the DLQ: ").contains("QueueDoesNotExist")
                .containsPattern("moved +0").containsPattern("failed +2");
        assertThat(drain(queues.dlqUrl())).hasSize(2);
    }

    @Test
    void nothingIsLostOrDuplicated() {
        Queues queues = freshQueues("redrive-count");
        for (int i = 0; i < 23; i++) {
            long eventTime = i % 5 == 0 ? EIGHT_DAYS_OLD : ONE_DAY_OLD;
            deadLetter(queues.dlqUrl(), conversion("e" + i, eventTime), i % 3 == 0 ? "META_REJECTED" : "TRANSIENT",
                    null, null, "reason");
        }

        Run run = redrive(queues, "--error-class", "TRANSIENT,META_REJECTED");

        int onMain = drain(queues.queueUrl()).size();
        int onDlq = drain(queues.dlqUrl()).size();
        assertThat(onMain + onDlq).isEqualTo(23);
        assertThat(onDlq).as("the five expired events").isEqualTo(5);
        assertThat(run.out()).containsPattern("moved +18").containsPattern("skipped-expired +5");
    }

    @Test
    void dryRunMovesNothing() {
        Queues queues = freshQueues("redrive-dry");
        deadLetter(queues.dlqUrl(), conversion("a", ONE_DAY_OLD), "TRANSIENT", null, null, "timeout");
        deadLetter(queues.dlqUrl(), conversion("b", EIGHT_DAYS_OLD), "TRANSIENT", null, null, "timeout");

        Run run = redrive(queues, "--dry-run");

        assertThat(run.out()).startsWith("Dry run").containsPattern("would move +1")
                .containsPattern("skipped-expired +1");
        assertThat(drain(queues.queueUrl())).isEmpty();
        assertThat(drain(queues.dlqUrl())).hasSize(2);
    }

    @Test
    void stopsAfterMaxMovedAndReleasesTheRest() {
        Queues queues = freshQueues("redrive-max");
        for (int i = 0; i < 5; i++) {
            deadLetter(queues.dlqUrl(), conversion("e" + i, ONE_DAY_OLD), "TRANSIENT", null, null, "timeout");
        }

        Run run = redrive(queues, "--max", "2");

        assertThat(run.out()).containsPattern("moved +2 +\\(stopped at --max\\)");
        assertThat(drain(queues.queueUrl())).hasSize(2);
        assertThat(drain(queues.dlqUrl())).hasSize(3);
    }

    @Test
    void reportsProgressTowardsMaxOnStderrWithRateAndTimeLeftWhenMaxIsBelowTheDlqsSize() {
        Queues queues = freshQueues("redrive-progress-max");
        deadLetterMany(queues, 110);

        Run run = redrive(queues, "--max", "105");

        assertThat(run.err().lines()).singleElement().asString()
                .matches("\\.\\.\\. 100/105 moved(  [\\d.,]+/s)?  ETA (\\d+:\\d\\d|unknown)  "
                        + "examined 1\\d\\d, expired 0, filtered 0, failed 0");
        assertThat(run.out()).containsPattern("moved +105 +\\(stopped at --max\\)");
    }

    /** Without --max the count is of messages examined, towards SQS's count of the DLQ. */
    @Test
    void onATerminalTheProgressIsOneLineThatIsErasedBeforeTheReport() {
        Queues queues = freshQueues("redrive-terminal");
        deadLetter(queues.dlqUrl(), conversion("old", EIGHT_DAYS_OLD), "TRANSIENT", null, null, "timeout");
        deadLetter(queues.dlqUrl(), conversion("new", ONE_DAY_OLD), "TRANSIENT", null, null, "timeout");

        Run run = OpsTestSupport.runInTerminal(CLOCK, "dlq", "redrive", "--dlq-url", queues.dlqUrl(), "--queue-url",
                queues.queueUrl(), "--rate=1000");

        assertThat(run.err()).startsWith("\r... ").contains("/2 examined").doesNotContain("\n").endsWith("\r");
        assertThat(run.out()).contains("expired, left in the DLQ: ").containsPattern("moved +1")
                .doesNotContain("\r");
    }

    @Test
    void keepsTheProducersOwnAttributes() {
        Queues queues = freshQueues("redrive-attrs");
        OpsTestSupport.sqs().sendMessage(b -> b.queueUrl(queues.dlqUrl()).messageBody(conversion("a", ONE_DAY_OLD))
                .messageAttributes(Map.of(
                        "trace-id", MessageAttributeValue.builder().dataType("String").stringValue("t-1").build(),
                        "capi-error-class", MessageAttributeValue.builder().dataType("String")
                                .stringValue("TRANSIENT").build())));

        redrive(queues);

        assertThat(drain(queues.queueUrl())).singleElement()
                .satisfies(message -> assertThat(message.messageAttributes()).containsOnlyKeys("trace-id"));
    }

    @Test
    void rejectsAnErrorClassThatDoesNotExist() {
        Queues queues = freshQueues("redrive-typo");

        Run run = redrive(queues, "--error-class", "TRANSIANT");

        assertThat(run.exitCode()).isEqualTo(OperatorCommands.USAGE);
        assertThat(run.err()).contains("Unknown --error-class TRANSIANT; one of INVALID_MESSAGE");
    }

    /** {@code count} fresh TRANSIENT messages, ten to a batch. */
    private static void deadLetterMany(Queues queues, int count) {
        for (int start = 0; start < count; start += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 10); i++) {
                entries.add(SendMessageBatchRequestEntry.builder().id("m" + i)
                        .messageBody(conversion("p" + i, ONE_DAY_OLD))
                        .messageAttributes(Map.of("capi-error-class", MessageAttributeValue.builder()
                                .dataType("String").stringValue("TRANSIENT").build()))
                        .build());
            }
            OpsTestSupport.sqs().sendMessageBatch(b -> b.queueUrl(queues.dlqUrl()).entries(entries));
        }
    }

    private static Run redrive(Queues queues, String... options) {
        String[] args = new String[options.length + 7];
        args[0] = "dlq";
        args[1] = "redrive";
        args[2] = "--dlq-url";
        args[3] = queues.dlqUrl();
        args[4] = "--queue-url";
        args[5] = queues.queueUrl();
        args[6] = "--rate=1000";
        System.arraycopy(options, 0, args, 7, options.length);
        return run(CLOCK, args);
    }
}
