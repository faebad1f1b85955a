package ai.track.capidispatch.ops;

import static ai.track.capidispatch.ops.OpsTestSupport.bodies;
import static ai.track.capidispatch.ops.OpsTestSupport.conversion;
import static ai.track.capidispatch.ops.OpsTestSupport.drain;
import static ai.track.capidispatch.ops.OpsTestSupport.freshQueues;
import static ai.track.capidispatch.ops.OpsTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.ops.OpsTestSupport.Run;
import ai.track.capidispatch.support.AwsEnvelopes;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SendCommandTest {

    private static final long NOW = Instant.now().getEpochSecond();
    private static final String NOT_JSON = "{\"event\": {\"event_name\": \"Purchase\", \"em\": \"secret@example.com\"";
    private static final String NOT_A_CONVERSION = "{\"pixel_id\":\"1\",\"event\":\"secret@example.com\"}";

    @TempDir
    Path dir;

    @Test
    void sendsEveryValidLineAndReportsInvalidOnesByNumberWithoutTheirContent() throws IOException {
        Queues queues = freshQueues("send");
        List<String> lines = new ArrayList<>();
        List<String> valid = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            String line = i == 7 ? NOT_JSON : i == 19 ? NOT_A_CONVERSION : conversion("order-" + i, NOW);
            lines.add(line);
            if (i != 7 && i != 19) {
                valid.add(line);
            }
        }
        Path file = write(lines);

        Run run = run(Clock.systemUTC(), "send", file.toString(), "--queue-url", queues.queueUrl());

        assertThat(bodies(drain(queues.queueUrl()))).containsExactlyInAnyOrderElementsOf(valid);
        assertThat(run.out()).contains("line 7: invalid, not sent: body is not valid JSON")
                .contains("line 19: invalid, not sent: event must be a JSON object")
                .containsPattern("sent +23").containsPattern("invalid +2").containsPattern("failed +0")
                .doesNotContain("secret@example.com");
        assertThat(run.exitCode()).as("not every line was sent").isEqualTo(OperatorCommands.INCOMPLETE);
    }

    @Test
    void skipsBlankLinesAndExitsZeroWhenEveryLineWasSent() throws IOException {
        Queues queues = freshQueues("send-blank");
        Path file = write(List.of(conversion("a", NOW), "", "   ", conversion("b", NOW), ""));

        Run run = run(Clock.systemUTC(), "send", file.toString(), "--queue-url", queues.queueUrl(), "--rate", "100");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("sent +2").containsPattern("invalid +0");
        assertThat(drain(queues.queueUrl())).hasSize(2);
    }

    @Test
    void sendsSnsAndEventBridgeEnvelopesAsTheWorkerReadsThemAndReportsAMalformedOne() throws IOException {
        Queues queues = freshQueues("send-envelopes");
        String sns = AwsEnvelopes.sns(conversion("via-sns", NOW));
        String eventBridge = AwsEnvelopes.eventBridge(conversion("via-eventbridge", NOW));
        Path file = write(List.of(sns, eventBridge, AwsEnvelopes.sns(NOT_JSON)));

        Run run = run(Clock.systemUTC(), "send", file.toString(), "--queue-url", queues.queueUrl());

        assertThat(bodies(drain(queues.queueUrl()))).as("sent as they are, envelope and all")
                .containsExactlyInAnyOrder(sns, eventBridge);
        assertThat(run.out()).contains("line 3: invalid, not sent: SNS envelope: Message is not valid JSON")
                .containsPattern("sent +2").containsPattern("invalid +1").doesNotContain("secret@example.com");
    }

    @Test
    void sendsInvalidLinesTooWithNoValidate() throws IOException {
        Queues queues = freshQueues("send-novalidate");
        Path file = write(List.of(conversion("a", NOW), NOT_A_CONVERSION));

        Run run = run(Clock.systemUTC(), "send", file.toString(), "--queue-url", queues.queueUrl(), "--no-validate");

        assertThat(run.exitCode()).isZero();
        assertThat(bodies(drain(queues.queueUrl()))).containsExactlyInAnyOrder(conversion("a", NOW), NOT_A_CONVERSION);
    }

    @Test
    void reportsProgressAgainstTheLinesInTheFileOnStderrAndKeepsStdoutTheReport() throws IOException {
        Queues queues = freshQueues("send-progress");
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 1_200; i++) {
            lines.add(i == 1_100 ? NOT_JSON : conversion("order-" + i, NOW));
        }
        Path file = write(lines);

        Run run = run(Clock.systemUTC(), "send", file.toString(), "--queue-url", queues.queueUrl());

        assertThat(run.err().lines()).singleElement().asString()
                .matches("\\.\\.\\. 1,000/1,200 lines  [\\d.,]+/s  ETA \\d+:\\d\\d  sent 990, invalid 0, failed 0");
        assertThat(run.out()).doesNotContain("lines  ").contains("line 1100: invalid, not sent")
                .containsPattern("sent +1199");
        assertThat(drain(queues.queueUrl())).hasSize(1_199);
    }

    @Test
    void onATerminalTheProgressLineOverwritesItselfAndIsGoneBeforeTheReport() throws IOException {
        Queues queues = freshQueues("send-terminal");
        Path file = write(List.of(conversion("a", NOW), conversion("b", NOW), conversion("c", NOW)));

        Run run = OpsTestSupport.runInTerminal(Clock.systemUTC(), "send", file.toString(), "--queue-url",
                queues.queueUrl());

        assertThat(run.err()).startsWith("\r... 1/3 lines  ETA unknown").doesNotContain("\n").endsWith("\r");
        assertThat(run.out()).containsPattern("sent +3").doesNotContain("\r");
    }

    @Test
    void countsLinesAsTheReaderSplitsThem(@TempDir Path other) throws IOException {
        assertThat(SendCommand.countLines(Files.writeString(other.resolve("a"), ""))).isZero();
        assertThat(SendCommand.countLines(Files.writeString(other.resolve("b"), "x\n"))).isEqualTo(1);
        assertThat(SendCommand.countLines(Files.writeString(other.resolve("c"), "x\ny"))).isEqualTo(2);
        assertThat(SendCommand.countLines(Files.writeString(other.resolve("d"), "x\r\ny\rz\n\n"))).isEqualTo(4);
        assertThat(SendCommand.countLines(Files.writeString(other.resolve("e"), "é\n€"))).isEqualTo(2);
    }

    @Test
    void readsTheQueueFromSqsQueueUrl() throws IOException {
        Queues queues = freshQueues("send-env");
        Path file = write(List.of(conversion("a", NOW)));

        Run run = OpsTestSupport.runWithEnv(Clock.systemUTC(), Map.of("SQS_QUEUE_URL", queues.queueUrl()), "send",
                file.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(drain(queues.queueUrl())).hasSize(1);
    }

    @Test
    void stopsAtTheFirstBatchSqsRefusesAndSaysFromWhichLine() throws IOException {
        Queues queues = freshQueues("send-missing");
        String missing = queues.queueUrl() + "-does-not-exist";
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            lines.add(conversion("order-" + i, NOW));
        }
        Path file = write(lines);

        Run run = run(Clock.systemUTC(), "send", file.toString(), "--queue-url", missing);

        assertThat(run.exitCode()).isEqualTo(OperatorCommands.STOPPED);
        assertThat(run.out()).contains("Stopped at line 1: SQS answered QueueDoesNotExist").containsPattern("sent +0");
    }

    @Test
    void aMissingQueueUrlIsAUsageErrorNamingTheVariable() throws IOException {
        Path file = write(List.of(conversion("a", NOW)));

        Run run = run(Clock.systemUTC(), "send", file.toString());

        assertThat(run.exitCode()).isEqualTo(OperatorCommands.USAGE);
        assertThat(run.err()).contains("Missing queue URL: pass --queue-url or set SQS_QUEUE_URL");
    }

    private Path write(List<String> lines) throws IOException {
        return Files.write(dir.resolve("events.jsonl"), lines, StandardCharsets.UTF_8);
    }
}
