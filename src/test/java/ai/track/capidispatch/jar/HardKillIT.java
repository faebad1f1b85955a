package ai.track.capidispatch.jar;

import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.resilience.MetaJournal;
import ai.track.capidispatch.resilience.NumberedEvents;
import ai.track.capidispatch.resilience.QueueContents;
import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import ai.track.capidispatch.support.WorkerJar;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A worker killed outright (SIGKILL: a crash, an OOM kill, ECS giving up on a stop) in the middle of its work
 * loses nothing: the messages it held were never deleted, come back after the queue's visibility timeout and
 * are delivered by the next worker with the same {@code event_id}s, including those the worker derives.
 * Runs the packaged jar in {@code mvn verify}, as {@link WorkerJarIT} does.
 */
class HardKillIT {

    private static final int EVENTS = 500;
    private static final int VISIBILITY_SECONDS = 10;
    private static final int META_LATENCY_MILLIS = 1_000;
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final MetaJournal journal = new MetaJournal(meta, EVENTS_PATH);
    private final SqsClient sqs = TestInfrastructure.sqs().client();
    private final List<Process> workers = new ArrayList<>();

    @AfterEach
    void stopWorkersAndForgetTheirTraffic() throws InterruptedException {
        for (Process worker : workers) {
            worker.destroy();
            if (!worker.waitFor(25, TimeUnit.SECONDS)) {
                worker.destroyForcibly();
            }
        }
        meta.resetAll(); // WorkerJarIT shares the stand-in and counts the requests it sees
    }

    @Test
    void aWorkerKilledMidBatchLosesNothingAndItsSuccessorDeliversTheRestWithTheSameEventIds() throws Exception {
        Queues queues = TestInfrastructure.createQueues("jar-hard-kill", VISIBILITY_SECONDS);
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        journal.stubAccepting(META_LATENCY_MILLIS);
        long now = Instant.now().getEpochSecond();
        NumberedEvents.send(sqs, queues.queueUrl(), IntStream.range(0, EVENTS)
                .mapToObj(seq -> NumberedEvents.body(seq, seq % 2 == 0 ? "kill-" : null, false, now)).toList());

        Process first = startWorker(queues, "first");
        // Killed once it has delivered something, holds much more, and Meta is answering one of its requests.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> QueueContents.messagesOn(sqs, queues.queueUrl()) < EVENTS
                        && QueueContents.inFlightOn(sqs, queues.queueUrl()) >= 100 && requestAtMeta());
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no acknowledgement flush
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Instant killed = Instant.now();
        int deletedBeforeKill = EVENTS - QueueContents.messagesOn(sqs, queues.queueUrl());

        startWorker(queues, "second");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> journal.acceptedSeqs().size() == EVENTS
                        && QueueContents.messagesOn(sqs, queues.queueUrl()) == 0);

        Set<Integer> sentBeforeKill = seqsSent(request -> request.at().isBefore(killed));
        Set<Integer> acceptedAfterKill = seqsSent(request -> request.accepted() && request.at().isAfter(killed));
        Set<Integer> sentByBoth = new HashSet<>(sentBeforeKill);
        sentByBoth.retainAll(seqsSent(request -> request.at().isAfter(killed)));
        System.out.printf("HardKillIT: %d messages deleted before the kill; %d events sent before it, %d accepted"
                + " after it, %d sent by both workers%n", deletedBeforeKill, sentBeforeKill.size(),
                acceptedAfterKill.size(), sentByBoth.size());

        assertThat(deletedBeforeKill).as("the first worker delivered before it was killed").isPositive();
        Set<Integer> neverSentByTheFirst = new HashSet<>(IntStream.range(0, EVENTS).boxed().toList());
        neverSentByTheFirst.removeAll(sentBeforeKill);
        assertThat(acceptedAfterKill).as("the second worker delivered what the first left")
                .containsAll(neverSentByTheFirst);
        assertThat(QueueContents.receiveAll(sqs, queues.dlqUrl())).as("a crash is no reason to dead-letter").isEmpty();
        journal.eventIdsBySeq().forEach((seq, ids) -> assertThat(ids)
                .as("event %d is sent with one event_id by both workers", seq).hasSize(1));
        assertThat(sentByBoth).as("the request Meta was answering at the kill was sent again, derived ids included")
                .anyMatch(seq -> seq % 2 == 1).anyMatch(seq -> seq % 2 == 0);
    }

    /** The newest request reached Meta less than half its latency ago: Meta is still answering it. */
    private boolean requestAtMeta() {
        List<MetaJournal.Request> requests = journal.requests();
        return !requests.isEmpty() && requests.get(requests.size() - 1).at()
                .isAfter(Instant.now().minusMillis(META_LATENCY_MILLIS / 2));
    }

    private Set<Integer> seqsSent(Predicate<MetaJournal.Request> which) {
        Set<Integer> seqs = new HashSet<>();
        journal.requests().stream().filter(which).forEach(request -> request.events()
                .forEach(event -> seqs.add(event.seq())));
        return seqs;
    }

    /**
     * Starts {@code java -jar} with the contract's environment only. One Meta request at a time, of at most 50
     * events, so the 500 events take several requests and the kill lands between them rather than after them.
     */
    private Process startWorker(Queues queues, String name) throws IOException {
        Path log = Files.createTempFile("worker-" + name, ".log");
        Map<String, String> env = WorkerJar.contractEnvironment(queues.queueUrl(), queues.dlqUrl(),
                TestInfrastructure.sqs().endpoint(), meta.baseUrl());
        env.put("SERVER_PORT", String.valueOf(WorkerJar.freePort()));
        env.put("CAPI_DISPATCH_MAX_BATCHES_IN_FLIGHT", "1");
        env.put("CAPI_DISPATCH_BATCH_MAX_EVENTS", "50");
        Process worker = WorkerJar.start(WorkerJar.currentJava(), List.of(), WorkerJar.packaged(), env, log);
        workers.add(worker);
        return worker;
    }

}
