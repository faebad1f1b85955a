package ai.track.capidispatch.resilience;

import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The byte budget ({@code capi.sqs.max-in-flight-bytes}) with messages large enough to spend it: polling waits while
 * it is spent and resumes as messages settle, one message larger than the whole budget still passes (alone), and a
 * stop with the budget full loses nothing. Budgets of a few megabytes stand in for the default share of a 230 MB heap.
 */
class ByteBudgetEndToEndTest {

    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final int LARGE_BODY = 300 * 1024;
    /** What the budget holds per message a poll asks for ({@code MessageFootprint.PERMIT_BYTES}). */
    private static final long PERMIT_BYTES = 8 * 1024;

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final MetaJournal journal = new MetaJournal(meta, EVENTS_PATH);
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @AfterEach
    void leaveTheStandInAsFound() {
        meta.resetAll();
    }

    @Test
    void pollingWaitsWhileTheBudgetIsSpentAndResumesAsMessagesSettle() {
        meta.resetAll();
        Queues queues = TestInfrastructure.createQueues("budget-spent", 60);
        journal.stubAccepting(500);
        ConfigurableApplicationContext worker = startWorker(queues, "8MB");
        try {
            MeterRegistry meters = worker.getBean(PrometheusMeterRegistry.class);
            long now = Instant.now().getEpochSecond();
            int events = 12;
            NumberedEvents.send(sqs, queues.queueUrl(), IntStream.range(0, events)
                    .mapToObj(seq -> large(seq, "budget-", now)).toList().subList(0, 1));
            sendOneByOne(queues.queueUrl(), IntStream.range(1, events).mapToObj(seq -> large(seq, "budget-", now))
                    .toList());

            // Each 300 KB message holds about 3 MB while it is parsed and sent: an 8 MB budget lets two or three in.
            AtomicInteger mostInFlight = new AtomicInteger();
            AtomicLong mostHeld = new AtomicLong();
            AtomicBoolean sawWaiting = new AtomicBoolean();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
                mostInFlight.accumulateAndGet(QueueContents.inFlightOn(sqs, queues.queueUrl()), Math::max);
                mostHeld.accumulateAndGet((long) gauge(meters, "capi.sqs.in-flight.bytes"), Math::max);
                sawWaiting.compareAndSet(false, gauge(meters, "capi.sqs.in-flight.waiting") > 0
                        || QueueContents.visibleOn(sqs, queues.queueUrl()) > 0);
                return journal.acceptedSeqs().size() == events;
            });

            System.out.printf("ByteBudgetEndToEndTest: at most %d messages in flight on SQS, %d bytes held%n",
                    mostInFlight.get(), mostHeld.get());
            // Spent means no room for one more message being sent (9 x its body, MessageFootprint): the gauge is
            // sampled every 50 ms, so it need not catch the moment the last bytes were taken.
            assertThat(mostHeld.get()).as("bytes held, as the budget counts them: spent, and past the limit by at most"
                    + " one answer of ten (read alone) or one message being sent (admitted alone)")
                    .isGreaterThan(8L * 1024 * 1024 - 9L * LARGE_BODY)
                    .isLessThanOrEqualTo(8L * 1024 * 1024 + 10 * 3L * LARGE_BODY);
            assertThat(sawWaiting).as("messages waited on the queue or for room while the budget was spent").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> QueueContents.messagesOn(sqs, queues.queueUrl()) == 0);
            // Everything settled: what is held now is only the permits of the long poll waiting on the empty queue.
            assertThat((long) gauge(meters, "capi.sqs.in-flight.bytes") % PERMIT_BYTES)
                    .as("no message's bytes held once all are settled").isZero();
            assertThat(QueueContents.receiveAll(sqs, queues.dlqUrl())).as("being big is no reason to dead-letter")
                    .isEmpty();
        } finally {
            worker.close();
        }
    }

    @Test
    void aMessageLargerThanTheWholeBudgetIsProcessedAlone() {
        meta.resetAll();
        Queues queues = TestInfrastructure.createQueues("budget-alone", 60);
        journal.stubAccepting(0);
        ConfigurableApplicationContext worker = startWorker(queues, "256KB");
        try {
            long now = Instant.now().getEpochSecond();
            List<String> bodies = new ArrayList<>();
            bodies.add(pad(NumberedEvents.body(0, "alone-", false, now), 900 * 1024));
            for (int seq = 1; seq <= 3; seq++) {
                bodies.add(NumberedEvents.body(seq, "alone-", false, now));
            }
            sendOneByOne(queues.queueUrl(), bodies);

            await().atMost(Duration.ofSeconds(60)).until(() -> journal.acceptedSeqs().size() == 4);
            assertThat(journal.requests()).as("the large one in a request of its own")
                    .anySatisfy(request -> assertThat(request.events()).singleElement()
                            .satisfies(event -> assertThat(event.seq()).isZero()));
            await().atMost(Duration.ofSeconds(30)).until(() -> QueueContents.messagesOn(sqs, queues.queueUrl()) == 0);
            assertThat(QueueContents.receiveAll(sqs, queues.dlqUrl())).isEmpty();
        } finally {
            worker.close();
        }
    }

    @Test
    void stoppingWithTheBudgetFullLosesNothing() {
        int visibilitySeconds = 10;
        meta.resetAll();
        Queues queues = TestInfrastructure.createQueues("budget-stop", visibilitySeconds);
        journal.stubAccepting(1_500);
        ConfigurableApplicationContext worker = startWorker(queues, "8MB");
        int events = 16;
        long now = Instant.now().getEpochSecond();
        Duration closing;
        try {
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> sendOneByOne(queues.queueUrl(),
                    IntStream.range(0, events).mapToObj(seq -> large(seq, "stop-", now)).toList()));
            MeterRegistry meters = worker.getBean(PrometheusMeterRegistry.class);
            // The budget full: messages are being sent and more wait, received or still on the queue.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> gauge(meters, "capi.sqs.in-flight.bytes") > 4L * 1024 * 1024
                            && !journal.requests().isEmpty());
            producer.join();
            Instant start = Instant.now();
            worker.close();
            closing = Duration.between(start, Instant.now());
        } finally {
            worker.close();
        }

        assertThat(closing).as("the stop, within the contract's 25 s").isLessThan(Duration.ofSeconds(25));
        await().atMost(Duration.ofSeconds(visibilitySeconds + 30)).pollInterval(Duration.ofMillis(500))
                .until(() -> QueueContents.inFlightOn(sqs, queues.queueUrl()) == 0);
        Set<Integer> leftOnQueue = QueueContents.receiveAll(sqs, queues.queueUrl()).stream()
                .map(message -> NumberedEvents.seqOf(message.body())).collect(Collectors.toSet());
        Set<Integer> lost = IntStream.range(0, events).boxed().collect(Collectors.toCollection(HashSet::new));
        lost.removeAll(journal.acceptedSeqs());
        lost.removeAll(leftOnQueue);
        System.out.printf("ByteBudgetEndToEndTest: stop with the budget full took %d ms; %d accepted, %d left on the"
                + " queue%n", closing.toMillis(), journal.acceptedSeqs().size(), leftOnQueue.size());
        assertThat(lost).as("events neither accepted by Meta nor left on the queue").isEmpty();
        assertThat(QueueContents.receiveAll(sqs, queues.dlqUrl())).isEmpty();
    }

    /** A numbered event whose {@code custom_data} carries a cart that brings it to 300 KB. */
    private static String large(int seq, String idPrefix, long now) {
        return pad(NumberedEvents.body(seq, idPrefix, false, now), LARGE_BODY);
    }

    /** Adds {@code custom_data.contents} items until the body is about {@code bytes} long. */
    private static String pad(String body, int bytes) {
        int at = body.indexOf("\"custom_data\": {") + "\"custom_data\": {".length();
        StringBuilder items = new StringBuilder("\"contents\": [");
        for (int item = 0; body.length() + items.length() < bytes; item++) {
            items.append(item == 0 ? "" : ",").append("{\"id\":\"sku-").append(item).append("\",\"quantity\":1}");
        }
        return body.substring(0, at) + items.append("], ") + body.substring(at);
    }

    /** One {@code SendMessage} each: ten large bodies do not fit in one batch. */
    private void sendOneByOne(String queueUrl, List<String> bodies) {
        bodies.forEach(body -> sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body)));
    }

    /**
     * From the Prometheus registry: the composite's gauge answers with its first child, the CloudWatch registry,
     * which publishes the contract's metrics only.
     */
    private static double gauge(MeterRegistry meters, String name) {
        return meters.get(name).gauge().value();
    }

    private static ConfigurableApplicationContext startWorker(Queues queues, String maxInFlightBytes) {
        return TestInfrastructure.startWorker(queues, "--capi.sqs.max-in-flight-bytes=" + maxInFlightBytes);
    }
}
