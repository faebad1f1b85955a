package ai.track.capidispatch.ops;

import static ai.track.capidispatch.ops.OpsTestSupport.runExactly;
import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.ops.OpsTestSupport.Run;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code CapiDispatchWorkerApplication.main} chooses between the worker and a command, and usage errors. */
class OperatorCommandsTest {

    @Test
    void startsTheWorkerWithoutArgumentsOrWithSpringStyleOnes() {
        assertThat(OperatorCommands.isOperatorCommand(new String[0])).isFalse();
        assertThat(OperatorCommands.isOperatorCommand(new String[] {"--server.port=3002"})).isFalse();
        assertThat(OperatorCommands.isOperatorCommand(new String[] {"--spring.profiles.active=local", "send"}))
                .isFalse();
    }

    @Test
    void runsACommandWhenTheFirstArgumentNamesOne() {
        assertThat(OperatorCommands.isOperatorCommand(new String[] {"send", "events.jsonl"})).isTrue();
        assertThat(OperatorCommands.isOperatorCommand(new String[] {"dlq", "inspect"})).isTrue();
        assertThat(OperatorCommands.isOperatorCommand(new String[] {"help"})).isTrue();
        assertThat(OperatorCommands.isOperatorCommand(new String[] {"--help"})).as("never a worker by accident")
                .isTrue();
    }

    @Test
    void aMistypedCommandIsAUsageErrorNotAWorker() {
        assertThat(OperatorCommands.isOperatorCommand(new String[] {"dlqq", "inspect"})).isTrue();

        Run run = runExactly(Clock.systemUTC(), Map.of(), "dlqq", "inspect");

        assertThat(run.exitCode()).isEqualTo(OperatorCommands.USAGE);
        assertThat(run.err()).contains("Unmatched arguments").contains("dlq");
    }

    @Test
    void helpListsTheCommandsAndExitStatuses() {
        Run run = runExactly(Clock.systemUTC(), Map.of(), "help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("send", "dlq", "Exit status:", "stopped early");
        assertThat(runExactly(Clock.systemUTC(), Map.of(), "--help").out()).contains("send", "dlq");
        assertThat(runExactly(Clock.systemUTC(), Map.of(), "help", "dlq").out()).contains("inspect", "redrive");
        assertThat(runExactly(Clock.systemUTC(), Map.of(), "dlq", "redrive", "--help").out())
                .contains("--error-class", "--dry-run", "--rate", "--max", "--endpoint-url", "--region");
    }

    @Test
    void dlqWithoutASubcommandIsAUsageError() {
        Run run = runExactly(Clock.systemUTC(), Map.of(), "dlq");

        assertThat(run.exitCode()).isEqualTo(OperatorCommands.USAGE);
        assertThat(run.err()).contains("Missing command: inspect or redrive");
    }

    @Test
    void aMissingDlqUrlNamesTheVariable() {
        Run run = runExactly(Clock.systemUTC(), Map.of(), "dlq", "inspect");

        assertThat(run.exitCode()).isEqualTo(OperatorCommands.USAGE);
        assertThat(run.err()).contains("Missing queue URL: pass --dlq-url or set SQS_DLQ_URL");
    }

    @Test
    void sqsThatCannotBeReachedStopsTheCommand() {
        Run run = runExactly(Clock.systemUTC(), Map.of("SQS_DLQ_URL", "http://127.0.0.1:9/000000000000/dlq"), "dlq",
                "inspect", "--endpoint-url", "http://127.0.0.1:9");

        assertThat(run.exitCode()).isEqualTo(OperatorCommands.STOPPED);
        assertThat(run.err()).startsWith("Stopped: SQS answered SdkClientException");
    }
}
