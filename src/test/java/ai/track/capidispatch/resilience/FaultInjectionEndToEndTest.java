package ai.track.capidispatch.resilience;

import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.resilience.MetaJournal.Request;
import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Meta misbehaves in every way the worker retries, one fault after another with healthy moments between,
 * while events keep arriving and a few of them are poison. When Meta is healthy again every good event has
 * been accepted, every poison event is in the DLQ as {@code META_REJECTED}, nothing else is, the queue is
 * empty, and every resend carried the event's one {@code event_id} (the producer's, or the one derived from
 * the content), so Meta could drop the duplicates.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext // 2,000 permits and a chaos-tuned breaker are no use to the classes after this one
class FaultInjectionEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("resilience-faults", 20);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final int EVENTS = 2_000;
    /** Ten poison events spread over the stream, so they land in batches of every phase. */
    private static final Set<Integer> POISON = IntStream.range(0, 10).map(i -> 97 + 200 * i).boxed()
            .collect(Collectors.toUnmodifiableSet());
    /** How long each fault lasts at least, and how long Meta is healthy after it. */
    private static final Duration FAULT_PHASE = Duration.ofSeconds(2);
    private static final Duration FAULT_PHASE_LIMIT = Duration.ofSeconds(6);
    private static final Duration HEALTHY_PHASE = Duration.ofSeconds(1);
    /** Ten events this often while faults last: ~55 a second. */
    private static final Duration PRODUCER_PACE = Duration.ofMillis(180);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        registry.add("capi.meta.call-timeout", () -> "1s");
        registry.add("capi.meta.read-timeout", () -> "1s");
        registry.add("capi.dispatch.retry-base-delay", () -> "500ms");
        registry.add("capi.dispatch.retry-max-delay", () -> "2s");
        registry.add("capi.dispatch.max-attempts", () -> "15");
        registry.add("capi.dispatch.batch-linger", () -> "200ms");
        registry.add("resilience4j.circuitbreaker.instances.meta.wait-duration-in-open-state", () -> "1s");
        registry.add("capi.sqs.max-pause", () -> "2s");
    }

    /** What Meta does wrong, each a failure the contract retries (§4). */
    enum MetaFault {
        CONNECTION_RESET(() -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)),
        /** Meta takes the events but answers after the worker's 1 s call timeout: the resend is a duplicate. */
        SLOWER_THAN_CALL_TIMEOUT(() -> aResponse().withStatus(200).withFixedDelay(2_500)
                .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},\"fbtrace_id\":\"Late\"}")
                .withTransformers("response-template")),
        HTTP_500(() -> aResponse().withStatus(500).withBody("<html>Internal Server Error</html>")),
        HTTP_503(() -> aResponse().withStatus(503).withBody("")),
        HTTP_429_RETRY_AFTER(() -> aResponse().withStatus(429).withHeader("Retry-After", "1")
                .withBody("<html>Too Many Requests</html>")),
        APPLICATION_LIMIT_4(() -> metaError(400, 4, "(#4) Application request limit reached")),
        USER_LIMIT_17(() -> metaError(403, 17, "(#17) User request limit reached")),
        RATE_LIMIT_613(() -> metaError(400, 613, "(#613) Calls to this api have exceeded the rate limit."));

        private final Supplier<ResponseDefinitionBuilder> response;

        MetaFault(Supplier<ResponseDefinitionBuilder> response) {
            this.response = response;
        }

        private static ResponseDefinitionBuilder metaError(int status, int code, String message) {
            return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                    .withBody("{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\","
                            + "\"is_transient\":true,\"code\":" + code + ",\"fbtrace_id\":\"Throttled" + code
                            + "\"}}");
        }
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final MetaJournal journal = new MetaJournal(meta, EVENTS_PATH);
    private final SqsClient sqs = TestInfrastructure.sqs().client();
    private final AtomicBoolean faultsOver = new AtomicBoolean();

    @AfterEach
    void leaveTheStandInAsFound() {
        meta.resetAll(); // faults and delays are this class's business only
    }

    @Test
    void deliversEveryGoodEventAndDeadLettersOnlyThePoisonThroughFaultsThatComeAndGo() throws Exception {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        journal.stubAccepting(0);
        journal.stubRejectingPoison();
        long now = Instant.now().getEpochSecond();
        List<String> bodies = IntStream.range(0, EVENTS).mapToObj(seq -> NumberedEvents.body(seq,
                hasProducerEventId(seq) ? "fault-" : null, POISON.contains(seq), now)).toList();

        Instant start = Instant.now();
        ExecutorService background = Executors.newFixedThreadPool(2);
        try {
            Future<?> producer = background.submit(() -> produceSteadily(bodies));
            // The faults start once the worker is delivering (credentials loaded, listener polling at full rate),
            // so each of them meets traffic.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !journal.acceptedSeqs().isEmpty());
            Future<?> chaos = background.submit(this::injectFaultsOneAfterAnother);
            producer.get(2, TimeUnit.MINUTES);
            chaos.get(3, TimeUnit.MINUTES);
        } finally {
            background.shutdownNow();
        }

        // Meta is healthy from here on: the worker catches up by itself.
        Instant healthy = Instant.now();
        Set<Integer> good = IntStream.range(0, EVENTS).filter(seq -> !POISON.contains(seq)).boxed()
                .collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> journal.acceptedSeqs().containsAll(good));
        Duration catchingUp = elapsedSince(healthy);
        List<Message> deadLetters = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            deadLetters.addAll(QueueContents.receiveAll(sqs, QUEUES.dlqUrl()));
            return seqs(deadLetters).containsAll(POISON);
        });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> QueueContents.messagesOn(sqs, QUEUES.queueUrl()) == 0);
        deadLetters.addAll(QueueContents.receiveAll(sqs, QUEUES.dlqUrl()));

        List<Request> requests = journal.requests();
        Map<String, Integer> byStub = journal.requestsByStub();
        Map<Integer, Integer> sends = journal.sendsBySeq();
        System.out.printf("FaultInjectionEndToEndTest: faults and traffic for %d s, all good events accepted %d s"
                + " later; %d requests %s; most requests for one event: %d%n",
                Duration.between(start, healthy).toSeconds(), catchingUp.toSeconds(), requests.size(), byStub,
                sends.values().stream().mapToInt(Integer::intValue).max().orElse(0));

        assertThat(byStub.keySet()).as("every fault was met by the worker")
                .containsAll(Arrays.stream(MetaFault.values()).map(Enum::name).toList());
        assertThat(journal.acceptedSeqs()).as("no poison event was ever accepted").doesNotContainAnyElementsOf(POISON);
        assertThat(seqs(deadLetters)).as("the DLQ holds the poison events and nothing else")
                .containsExactlyInAnyOrderElementsOf(POISON);
        assertThat(deadLetters).as("each poison event dead-lettered once, for Meta's own reason")
                .hasSize(POISON.size())
                .allSatisfy(deadLetter -> {
                    assertThat(deadLetter.messageAttributes().get("capi-error-class").stringValue())
                            .isEqualTo("META_REJECTED");
                    assertThat(deadLetter.messageAttributes().get("capi-error-code").stringValue()).isEqualTo("100");
                });
        assertSameEventIdOnEveryResend(requests);
    }

    /**
     * Meta deduplicates on {@code event_id}: a resend is harmless only if it carries the id of the first copy.
     * A redelivered message without an {@code event_id} is parsed again and its id derived again, so the check
     * only means something if such events were actually redelivered: an event in a request answered by a fault
     * was retried, and a retry is a redelivery.
     */
    private void assertSameEventIdOnEveryResend(List<Request> requests) {
        Map<Integer, Set<String>> idsBySeq = journal.eventIdsBySeq();
        assertThat(idsBySeq.keySet()).as("every event reached Meta's stand-in").hasSize(EVENTS);
        idsBySeq.forEach((seq, ids) -> {
            assertThat(ids).as("event_ids sent for event %d", seq).hasSize(1);
            if (hasProducerEventId(seq)) {
                assertThat(ids).containsExactly("fault-" + seq);
            } else {
                assertThat(ids.iterator().next()).as("derived event_id of event %d", seq).matches("capi-[0-9a-f]{32}");
            }
        });
        Set<Integer> retried = new HashSet<>();
        requests.stream().filter(request -> MetaJournal.FAULT.equals(request.role()))
                .forEach(request -> request.events().forEach(event -> retried.add(event.seq())));
        assertThat(retried.stream().filter(seq -> !hasProducerEventId(seq)).count())
                .as("events with a derived event_id were redelivered, so the derivation was put to the test")
                .isGreaterThan(10);
        assertThat(retried.stream().filter(FaultInjectionEndToEndTest::hasProducerEventId).count())
                .as("events with the producer's event_id were redelivered").isGreaterThan(10);
    }

    /** Every eighth event comes without an {@code event_id}: the worker derives one from its content. */
    private static boolean hasProducerEventId(int seq) {
        return seq % 8 != 3;
    }

    /**
     * Events arrive steadily, as a producer would send them, so faults meet traffic rather than a backlog: ten
     * every {@link #PRODUCER_PACE} until the faults are over, the rest then at once. At that pace the 2,000 events
     * last about 36 s, half again the faults' usual 24 s; at 200 a second they ran out after 10 s, and the worker,
     * once it had caught up, sometimes made no call during the last fault's whole phase.
     */
    private void produceSteadily(List<String> bodies) {
        for (int from = 0; from < bodies.size(); from += 10) {
            NumberedEvents.send(sqs, QUEUES.queueUrl(), bodies.subList(from, Math.min(from + 10, bodies.size())));
            if (!faultsOver.get()) {
                pause(PRODUCER_PACE);
            }
        }
    }

    /**
     * Each fault answers every events request for at least {@link #FAULT_PHASE} and until the worker met it
     * (at most {@link #FAULT_PHASE_LIMIT}: a paused worker may not call for a while), then Meta is healthy for
     * {@link #HEALTHY_PHASE}. Ends healthy.
     */
    private void injectFaultsOneAfterAnother() {
        try {
            injectEachFault();
        } finally {
            faultsOver.set(true);
        }
    }

    private void injectEachFault() {
        for (MetaFault fault : MetaFault.values()) {
            StubMapping stub = journal.stubFault(fault.name(), fault.response.get());
            Instant start = Instant.now();
            while (elapsedSince(start).compareTo(FAULT_PHASE_LIMIT) < 0
                    && (elapsedSince(start).compareTo(FAULT_PHASE) < 0
                            || journal.requestsByStub().getOrDefault(fault.name(), 0) == 0)) {
                pause(Duration.ofMillis(200));
            }
            meta.removeStub(stub);
            pause(HEALTHY_PHASE);
        }
    }

    private static Duration elapsedSince(Instant start) {
        return Duration.between(start, Instant.now());
    }

    /** Paces the background producer and fault injector; the test thread itself only awaits. */
    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Set<Integer> seqs(List<Message> messages) {
        return messages.stream().map(message -> NumberedEvents.seqOf(message.body())).collect(Collectors.toSet());
    }
}
