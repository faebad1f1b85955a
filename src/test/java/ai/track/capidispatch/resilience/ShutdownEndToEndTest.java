package ai.track.capidispatch.resilience;

import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Contract §6: closing the worker (what SIGTERM does) while Meta is slow, batches are in flight and events are
 * still arriving returns within 25 s and loses nothing. Every event is either accepted by Meta or still on the
 * queue once the visibility timeout of what the worker released has passed; nothing is dead-lettered for being
 * interrupted; every event Meta accepted was deleted. What the worker received it finishes within the listener's
 * shutdown timeout: events that arrive during the close still share requests, where one request each would keep
 * Meta's few senders busy past the timeout.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownEndToEndTest {

    private static final int VISIBILITY_SECONDS = 10;
    private static final Queues QUEUES = TestInfrastructure.createQueues("resilience-shutdown", VISIBILITY_SECONDS);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final int EVENTS = 300;
    private static final int META_LATENCY_MILLIS = 1_500;
    private static final int WARM_UP = -1;
    /** {@code capi.sqs.listener-shutdown-timeout}: how long the listener waits for messages in flight. */
    private static final Duration LISTENER_SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final MetaJournal journal = new MetaJournal(meta, EVENTS_PATH);
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @AfterEach
    void leaveTheStandInAsFound() {
        meta.resetAll(); // faults and delays are this class's business only
    }

    @Test
    void closingMidBatchFinishesWhatTheWorkerReceivedInTimeAndLosesNoEvent() {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        journal.stubAccepting(META_LATENCY_MILLIS);
        ConfigurableApplicationContext worker = startWorker();
        CompletableFuture<Void> producer = CompletableFuture.completedFuture(null);
        int heldAtClose;
        Duration closing;
        Instant closed;
        try {
            long now = Instant.now().getEpochSecond();
            // Warm up: credentials loaded and the listener polling at full rate, as in a worker that has been
            // running for a while.
            NumberedEvents.send(sqs, QUEUES.queueUrl(), List.of(NumberedEvents.body(WARM_UP, "warm-up-", false, now)));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> QueueContents.messagesOn(sqs, QUEUES.queueUrl()) == 0);
            // Events keep arriving, as they do when ECS stops a task: some are received after the close began.
            List<String> bodies = IntStream.range(0, EVENTS)
                    .mapToObj(seq -> NumberedEvents.body(seq, seq % 2 == 0 ? "shutdown-" : null, false, now)).toList();
            producer = CompletableFuture.runAsync(() -> produceSteadily(bodies));
            // Mid-batch: Meta is answering the first request for these events while the worker still receives more.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> journal.requests().stream().anyMatch(request -> request.events().stream()
                            .anyMatch(event -> event.seq() != WARM_UP)));

            heldAtClose = QueueContents.inFlightOn(sqs, QUEUES.queueUrl());
            Instant start = Instant.now();
            worker.close();
            closed = Instant.now();
            closing = Duration.between(start, closed);
        } finally {
            worker.close(); // a no-op once closed; closes a worker whose test failed before
            producer.join();
        }

        assertThat(closing).as("close (SIGTERM) returns within the contract's 25 s").isLessThan(Duration.ofSeconds(25));
        assertThat(closing).as("what the worker held was finished before the listener's 15 s shutdown timeout ran out,"
                + " not abandoned mid-send").isLessThan(LISTENER_SHUTDOWN_TIMEOUT);
        // What the worker released comes back after the queue's visibility timeout; take it all.
        await().atMost(Duration.ofSeconds(VISIBILITY_SECONDS + 30)).pollInterval(Duration.ofMillis(500))
                .until(() -> QueueContents.inFlightOn(sqs, QUEUES.queueUrl()) == 0);
        Set<Integer> leftOnQueue = QueueContents.receiveAll(sqs, QUEUES.queueUrl()).stream()
                .map(message -> NumberedEvents.seqOf(message.body())).collect(Collectors.toSet());
        Set<Integer> accepted = journal.acceptedSeqs();
        long requests = journal.requests().size() - 1; // the warm-up's
        long sentAfterClose = journal.requests().stream().filter(request -> request.at().isAfter(closed)).count();
        accepted.remove(WARM_UP);
        Set<Integer> both = new HashSet<>(accepted);
        both.retainAll(leftOnQueue);
        System.out.printf("ShutdownEndToEndTest: close with %d messages held took %d ms; %d events accepted in %d"
                + " requests, %d left on the queue, %d both; %d requests after close returned%n", heldAtClose,
                closing.toMillis(), accepted.size(), requests, leftOnQueue.size(), both.size(), sentAfterClose);

        Set<Integer> lost = IntStream.range(0, EVENTS).boxed().collect(Collectors.toCollection(HashSet::new));
        lost.removeAll(accepted);
        lost.removeAll(leftOnQueue);
        assertThat(lost).as("events neither accepted by Meta nor left on the queue").isEmpty();
        assertThat(both).as("acknowledgements flushed: every event Meta accepted was deleted, none is sent again")
                .isEmpty();
        List<Message> deadLetters = QueueContents.receiveAll(sqs, QUEUES.dlqUrl());
        assertThat(deadLetters).as("being interrupted is no reason to dead-letter").isEmpty();
    }

    /**
     * An idle worker's long polls wait up to {@code poll-timeout} (10 s); a stop used to wait for them. ECS deploys
     * wait on every task's stop, so an idle one stops within 2 s.
     */
    @Test
    void anIdleWorkerStopsWithinTwoSeconds() throws Exception {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        journal.stubAccepting(0);
        ConfigurableApplicationContext worker = startWorker();
        Duration closing;
        try {
            long now = Instant.now().getEpochSecond();
            NumberedEvents.send(sqs, QUEUES.queueUrl(), List.of(NumberedEvents.body(WARM_UP, "idle-", false, now)));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> QueueContents.messagesOn(sqs, QUEUES.queueUrl()) == 0);
            Thread.sleep(2_000); // idle: the next long polls are waiting on an empty queue

            Instant start = Instant.now();
            worker.close();
            closing = Duration.between(start, Instant.now());
        } finally {
            worker.close();
        }

        System.out.printf("ShutdownEndToEndTest: an idle worker stopped in %d ms%n", closing.toMillis());
        assertThat(closing).as("an idle worker's stop").isLessThan(Duration.ofSeconds(2));
    }

    /**
     * When Meta outlasts the listener's shutdown timeout, the stop goes on without the messages in flight (they come
     * back after their visibility timeout). Spring Cloud AWS 4.1 then cancelled its polling futures while iterating
     * over them and logged a {@code ConcurrentModificationException}; with the receives answered at close there are
     * none left to cancel, and the stop logs no stack trace.
     */
    @Test
    void aShutdownTimeoutRunningOutLogsNoStackTrace(CapturedOutput output) {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        journal.stubAccepting(6_000);
        ConfigurableApplicationContext worker = startWorker("--capi.sqs.listener-shutdown-timeout=1s",
                "--capi.meta.read-timeout=8s", "--capi.meta.call-timeout=10s");
        int logAtClose;
        try {
            long now = Instant.now().getEpochSecond();
            NumberedEvents.send(sqs, QUEUES.queueUrl(), IntStream.range(0, 10)
                    .mapToObj(seq -> NumberedEvents.body(1_000 + seq, "timeout-", false, now)).toList());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !journal.requests().isEmpty()); // Meta is answering, slowly
            logAtClose = output.getAll().length();
            worker.close();
        } finally {
            worker.close();
        }

        String closeLog = output.getAll().substring(logAtClose);
        assertThat(closeLog).as("the listener's timeout ran out").contains("Tasks did not finish");
        assertThat(closeLog).doesNotContain("ConcurrentModificationException", "\"stack_trace\"");
    }

    /** Three hundred events in about three seconds, ten at a time. */
    private void produceSteadily(List<String> bodies) {
        for (int from = 0; from < bodies.size(); from += 10) {
            NumberedEvents.send(sqs, QUEUES.queueUrl(), bodies.subList(from, from + 10));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static ConfigurableApplicationContext startWorker(String... extraArgs) {
        return TestInfrastructure.startWorker(QUEUES, extraArgs);
    }
}
