package ai.track.capidispatch.jar;

import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.faults.FaultHarness;
import ai.track.capidispatch.faults.Report;
import ai.track.capidispatch.support.WorkerJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The external fault harness of {@code bench/faults.sh}, in short, in {@code mvn verify}: the packaged jar,
 * started with the contract's environment, against a Meta stand-in whose faults come and go, stopped with
 * SIGTERM and SIGKILL and started again while events and poison keep arriving, loses nothing and misplaces
 * nothing. The only timing asserted is the contract's 25 s from SIGTERM to exit; everything else waits as
 * long as a loaded machine needs. {@code -Dfaults.seed=N} replays the random choices of a run (the seed is
 * printed).
 */
class FaultHarnessIT {

    @Test
    void workersRestartedThroughMetaFaultsDeliverEveryGoodEventAndDeadLetterEveryPoisonOne() throws Exception {
        long seed = Long.getLong("faults.seed", new Random().nextLong());
        FaultHarness.Settings settings = new FaultHarness.Settings(800, Duration.ofSeconds(60),
                Duration.ofSeconds(10), 4, 0.5, 15, 25, 40, Duration.ofMinutes(5), seed,
                WorkerJar.packaged(), WorkerJar.currentJava(),
                List.of("-Xmx307m", "-XX:+ExitOnOutOfMemoryError"), Path.of("target", "faults-it"));

        Report report = new FaultHarness(settings, line -> System.out.println("FaultHarnessIT " + line)).run();
        System.out.println("FaultHarnessIT " + report.summaryLine());

        assertThat(report.lost()).as("good events neither accepted at Meta nor in the DLQ").isEmpty();
        assertThat(report.goodAccepted()).as("good events accepted at Meta").isEqualTo(report.good());
        assertThat(report.goodInDlq()).as("good events in the DLQ").isEmpty();
        assertThat(report.poisonMissing()).as("poison events missing from the DLQ").isEmpty();
        assertThat(report.poisonWrongClass()).as("poison events dead-lettered for the wrong reason").isEmpty();
        assertThat(report.dlqByClass()).as("every kind of poison was dead-lettered, and nothing unclassified")
                .containsOnlyKeys("META_REJECTED", "INVALID_MESSAGE", "INVALID_EVENT", "EXPIRED", "UNKNOWN_PIXEL");
        assertThat(report.localPoisonAtMeta()).as("locally invalid events sent to Meta").isEmpty();
        assertThat(report.queueLeft()).as("messages left on the main queue").isZero();
        assertThat(report.eventIdProblems()).as("events not sent with their one event_id").isEmpty();
        assertThat(report.unreadableRequests()).isZero();
        assertThat(report.slowStops()).as("SIGTERM to exit within 25 s").isEmpty();
        assertThat(report.crashes()).as("workers that crashed or never became healthy").isEmpty();

        assertThat(report.sigterms()).as("workers stopped with SIGTERM, the final stop included").isGreaterThanOrEqualTo(3);
        assertThat(report.sigkills()).as("workers killed with SIGKILL").isGreaterThanOrEqualTo(2);
        assertThat(report.faults()).as("requests that met a fault").isPositive();
        assertThat(report.answers()).as("poison was isolated by bisection at Meta").containsKey("POISON_REJECTED");
        assertThat(report.passed()).as("%s", report.problems()).isTrue();
    }
}
