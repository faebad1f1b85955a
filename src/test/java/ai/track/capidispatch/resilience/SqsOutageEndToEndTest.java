package ai.track.capidispatch.resilience;

import static ai.track.capidispatch.support.TestInfrastructure.ACCESS_TOKEN;
import static ai.track.capidispatch.support.TestInfrastructure.APP_SECRET;
import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static ai.track.capidispatch.support.TestInfrastructure.SECOND_ACCESS_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.resilience.MetaJournal.Request;
import ai.track.capidispatch.support.CuttableTcpProxy;
import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.awspring.cloud.autoconfigure.sqs.SqsAsyncClientCustomizer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.sqs.SqsClient;
import tools.jackson.databind.JsonNode;

/**
 * SQS becomes unreachable while the worker holds messages and Meta is answering for them (issue #4, point 8).
 * The worker's SQS client reaches the embedded SQS only through a {@link CuttableTcpProxy}; the cut refuses new
 * connections and resets live ones, while SQS itself keeps running and producers keep sending to it. The worker
 * must stay up, say at WARN/ERROR what fails (and nothing secret), poll at a backed-off rate instead of in a
 * loop, recover by itself once the link is back, and lose nothing: every event reaches Meta — the ones whose
 * deletes failed during the outage twice, with the same {@code event_id} — the queue empties and nothing is
 * dead-lettered.
 *
 * <p>What {@code /health} and readiness show during the outage is asserted too: UP and accepting traffic.
 * Restarting the task would not bring SQS back, and the listener keeps running (it is only between polls).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext // its SQS endpoint is this class's proxy
class SqsOutageEndToEndTest {

    private static final int VISIBILITY_SECONDS = 10;
    private static final Queues DIRECT = TestInfrastructure.createQueues("resilience-sqs-outage", VISIBILITY_SECONDS);
    private static final CuttableTcpProxy SQS_LINK = CuttableTcpProxy.to(TestInfrastructure.sqs().port());
    /** The same queues, named by the worker through the link. */
    private static final Queues THROUGH_LINK = new Queues(throughLink(DIRECT.queueUrl()),
            throughLink(DIRECT.dlqUrl()));
    private static final SqsCalls SQS_CALLS = new SqsCalls();

    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    /** Slow enough that a batch is still at Meta when the link is cut. */
    private static final int META_LATENCY_MILLIS = 1_500;
    private static final int EVENTS_BEFORE = 200;
    private static final int EVENTS_DURING = 200;
    private static final int EVENTS = EVENTS_BEFORE + EVENTS_DURING;
    private static final Duration OUTAGE = Duration.ofSeconds(25);
    /** The production defaults of capi.sqs.poll-back-off-*, which this test runs with. */
    private static final Duration POLL_BACK_OFF_MAX = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, THROUGH_LINK, TestInfrastructure.twoPixelSecret(), SQS_LINK::endpoint);
    }

    /** Records every call of the worker's SQS client, beside whatever else is configured. */
    @TestConfiguration(proxyBeanMethods = false)
    static class RecordSqsCalls {
        @Bean
        SqsAsyncClientCustomizer recordSqsCalls() {
            return builder -> builder.overrideConfiguration(builder.overrideConfiguration().toBuilder()
                    .addExecutionInterceptor(SQS_CALLS).build());
        }
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final MetaJournal journal = new MetaJournal(meta, EVENTS_PATH);
    private final SqsClient sqs = TestInfrastructure.sqs().client();
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @AfterEach
    void reconnectAndLeaveTheStandInAsFound() {
        SQS_LINK.restore(); // a failed test must not leave the worker cut off while its context closes
        meta.resetAll();
    }

    @Test
    void ridesOutAnSqsOutageBackingOffAndLosesNothingItReceived(CapturedOutput output) throws Exception {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        journal.stubAccepting(META_LATENCY_MILLIS);
        long now = Instant.now().getEpochSecond();
        List<String> bodies = IntStream.range(0, EVENTS)
                .mapToObj(seq -> NumberedEvents.body(seq, "sqs-outage-", false, now)).toList();

        // Events flow: some delivered and deleted, more arriving.
        CompletableFuture<Void> producer = CompletableFuture.runAsync(
                () -> produce(bodies.subList(0, EVENTS_BEFORE), Duration.ofMillis(500)));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> journal.acceptedSeqs().size() >= 20);
        assertThat(sampleHealth()).as("before the outage").isEqualTo(HEALTHY);
        // Cut while a batch is at Meta: it is delivered, but its deletes cannot reach SQS.
        Instant flowing = Instant.now();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> journal.requests().stream().anyMatch(request -> request.at().isAfter(flowing)));
        SQS_LINK.cut();
        Instant cut = Instant.now();
        int logAtCut = output.getAll().length();
        Set<Integer> atMetaWhenCut = journal.requests().stream().filter(request -> request.at().isAfter(flowing))
                .flatMap(request -> request.events().stream()).map(MetaJournal.SentEvent::seq)
                .collect(Collectors.toSet());

        // The outage: producers keep sending to SQS, which is up; the worker cannot reach it.
        List<HealthSample> health = new ArrayList<>();
        Duration slowestHealth = Duration.ZERO;
        int sent = EVENTS_BEFORE;
        while (Duration.between(cut, Instant.now()).compareTo(OUTAGE) < 0) {
            if (sent < EVENTS) {
                NumberedEvents.send(sqs, DIRECT.queueUrl(), bodies.subList(sent, sent + 10));
                sent += 10;
            }
            Instant asked = Instant.now();
            health.add(sampleHealth());
            Duration answered = Duration.between(asked, Instant.now());
            slowestHealth = answered.compareTo(slowestHealth) > 0 ? answered : slowestHealth;
            Thread.sleep(Math.max(0, 1_000 - answered.toMillis()));
        }
        producer.join();
        Instant restored = Instant.now();
        String outageLog = output.getAll().substring(logAtCut);
        SQS_LINK.restore();
        int metaRequestsDuringOutage = (int) journal.requests().stream()
                .filter(request -> request.at().isAfter(cut) && request.at().isBefore(restored)).count();

        // Back by itself: every event reaches Meta, the queue empties, nothing is dead-lettered.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> journal.acceptedSeqs().size() == EVENTS);
        Instant firstRequestAfter = journal.requests().stream().map(Request::at).filter(at -> at.isAfter(restored))
                .min(Instant::compareTo).orElseThrow();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> QueueContents.messagesOn(sqs, DIRECT.queueUrl()) == 0);
        HealthSample after = sampleHealth();

        List<SqsCalls.Call> polls = SQS_CALLS.calls("ReceiveMessage");
        long pollsInFlightAtCut = polls.stream().filter(poll -> poll.inFlightAt(cut)).count();
        List<Long> pollsStartedDuringOutage = polls.stream().filter(poll -> poll.startedBetween(cut, restored))
                .map(poll -> Duration.between(cut, poll.started).toMillis()).sorted().toList();
        // The SDK retries a refused call (up to three attempts) before it fails: until the first poll has failed,
        // the listener cannot know, and polls whenever finished messages give permits back.
        Instant firstFailedPoll = polls.stream()
                .filter(poll -> poll.inFlightAt(cut) || poll.startedBetween(cut, restored)).map(poll -> poll.ended)
                .filter(Objects::nonNull).min(Instant::compareTo).orElseThrow();
        // The poll the listener may already have been starting when the first one failed comes within
        // milliseconds; every later one waits out the back-off, at least 1 s.
        List<Long> pollsBackedOff = polls.stream()
                .filter(poll -> poll.startedBetween(firstFailedPoll.plusMillis(900), restored))
                .map(poll -> Duration.between(cut, poll.started).toMillis()).sorted().toList();
        long failedPollsLogged = lines(outageLog).stream()
                .filter(line -> line.contains("\"SqsReceiveFailing\"")).count();
        Map<String, Integer> attemptsDuringOutage = SQS_CALLS.attemptsStartedBetween(cut, restored);
        Map<Integer, Integer> sends = journal.sendsBySeq();
        long resent = sends.values().stream().filter(count -> count > 1).count();
        System.out.printf("SqsOutageEndToEndTest: SQS cut for %d s with %d events at Meta and %d polls in flight;"
                + " first poll failed %d ms after the cut; polls started during the outage at %s ms after the cut;"
                + " %d failed polls logged; attempts of the SQS calls started during the outage %s; slowest /health"
                + " %d ms; %d Meta requests during the outage; first Meta request %d ms after the link was back;"
                + " %d connections to SQS in all; %d of %d events sent to Meta more than once%n",
                Duration.between(cut, restored).toSeconds(), atMetaWhenCut.size(), pollsInFlightAtCut,
                Duration.between(cut, firstFailedPoll).toMillis(), pollsStartedDuringOutage, failedPollsLogged,
                attemptsDuringOutage, slowestHealth.toMillis(), metaRequestsDuringOutage,
                Duration.between(restored, firstRequestAfter).toMillis(), SQS_LINK.acceptedConnections(), resent,
                EVENTS);

        // It stayed up, and said so: UP, ready, the listener running, throughout.
        assertThat(health).as("health sampled through the outage").hasSizeGreaterThanOrEqualTo(10)
                .allSatisfy(sample -> assertThat(sample).isEqualTo(HEALTHY));
        assertThat(after).as("after the outage").isEqualTo(HEALTHY);

        // It logged the failure once, at WARN, without a stack trace per poll, and nothing secret.
        assertThat(lines(outageLog)).as("receives failing: one WARN line for the change of state")
                .filteredOn(line -> line.contains("\"SqsReceiveFailing\""))
                .singleElement().satisfies(line -> assertThat(line).contains("\"WARN\"", "SdkClientException"));
        assertThat(outageLog).as("Spring Cloud AWS's ERROR with a stack trace per failed poll")
                .doesNotContain("Error polling for messages", "\"stack_trace\"");
        assertThat(lines(output.getAll().substring(logAtCut))).as("and one line when receives work again")
                .filteredOn(line -> line.contains("\"SqsReceiveRecovered\"")).hasSize(1);
        assertThat(lines(outageLog)).as("deletes of delivered messages failing are logged at WARN")
                .anySatisfy(line -> assertThat(line).contains("AcknowledgementFailed").contains("\"WARN\""));
        assertThat(outageLog).doesNotContain(ACCESS_TOKEN, SECOND_ACCESS_TOKEN, APP_SECRET, "Signature=",
                "Credential=", "Authorization");

        // It backed off instead of looping, and kept trying: once a poll had failed, polls 1 s doubling to 10 s
        // apart, about four in the rest of the 25 s.
        assertThat(pollsBackedOff).as("polls started once the first poll had failed (ms after the cut)")
                .hasSizeBetween(3, 6);
        for (int i = 1; i < pollsBackedOff.size(); i++) {
            assertThat(pollsBackedOff.get(i) - pollsBackedOff.get(i - 1)).as("gap between backed-off polls, ms")
                    .isGreaterThanOrEqualTo(900);
        }
        assertThat(failedPollsLogged).as("failed receives logged: one line, however many polls failed")
                .isEqualTo(1);
        assertThat(Duration.between(restored, firstRequestAfter))
                .as("back within the back-off cap once SQS is reachable again")
                .isLessThan(POLL_BACK_OFF_MAX.plusSeconds(10));

        // It lost nothing.
        assertThat(atMetaWhenCut).as("events at Meta when the link was cut").isNotEmpty();
        assertThat(atMetaWhenCut).as("their deletes failed, so SQS redelivered them and they were sent again")
                .anySatisfy(seq -> assertThat(sends.get(seq)).isGreaterThan(1));
        assertThat(journal.acceptedSeqs()).as("every event reached Meta")
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, EVENTS).boxed().toList());
        assertThat(journal.eventIdsBySeq()).as("each event always with its own event_id, so Meta drops the duplicates")
                .allSatisfy((seq, ids) -> assertThat(ids).containsExactly("sqs-outage-" + seq));
        assertThat(QueueContents.receiveAll(sqs, DIRECT.dlqUrl())).as("an SQS outage is no reason to dead-letter")
                .isEmpty();
    }

    /** What an operator or ECS sees: {@code /health}, and the listener and readiness in the details. */
    record HealthSample(int status, boolean listenerRunning, String readiness) {
    }

    private static final HealthSample HEALTHY = new HealthSample(200, true, "UP");

    private HealthSample sampleHealth() throws IOException, InterruptedException {
        int status = get("/health").statusCode();
        JsonNode details = NumberedEvents.json().readTree(get("/actuator/health").body()).path("components");
        return new HealthSample(status, details.path("listener").path("details").path("running").asBoolean(false),
                details.path("readinessState").path("status").asString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void produce(List<String> bodies, Duration pace) {
        for (int from = 0; from < bodies.size(); from += 10) {
            NumberedEvents.send(sqs, DIRECT.queueUrl(), bodies.subList(from, Math.min(from + 10, bodies.size())));
            try {
                Thread.sleep(pace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static List<String> lines(String log) {
        return log.lines().toList();
    }

    private static String throughLink(String queueUrl) {
        return queueUrl.replace(":" + TestInfrastructure.sqs().port() + "/", ":" + SQS_LINK.port() + "/");
    }

    /**
     * Every call of the worker's SQS client (one per poll, delete batch, ...) with when it started and ended and
     * how many attempts it took (the SDK retries a refused connection).
     */
    static final class SqsCalls implements ExecutionInterceptor {

        private static final ExecutionAttribute<Call> CALL = new ExecutionAttribute<>("SqsOutageEndToEndTest.call");

        static final class Call {
            final String operation;
            final Instant started = Instant.now();
            final AtomicInteger attempts = new AtomicInteger();
            volatile Instant ended;

            Call(String operation) {
                this.operation = operation;
            }

            boolean inFlightAt(Instant moment) {
                return started.isBefore(moment) && (ended == null || !ended.isBefore(moment));
            }

            boolean startedBetween(Instant from, Instant to) {
                return !started.isBefore(from) && started.isBefore(to);
            }
        }

        private final List<Call> calls = new CopyOnWriteArrayList<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            Call call = new Call(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
            attributes.putAttribute(CALL, call);
            calls.add(call);
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            attributes.getAttribute(CALL).attempts.incrementAndGet();
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            attributes.getAttribute(CALL).ended = Instant.now();
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            attributes.getAttribute(CALL).ended = Instant.now();
        }

        List<Call> calls(String operation) {
            return calls.stream().filter(call -> operation.equals(call.operation)).toList();
        }

        /** Attempts, by operation, of the calls started in [from, to). */
        Map<String, Integer> attemptsStartedBetween(Instant from, Instant to) {
            return calls.stream().filter(call -> call.startedBetween(from, to)).collect(Collectors.groupingBy(
                    call -> call.operation, TreeMap::new, Collectors.summingInt(call -> call.attempts.get())));
        }
    }
}
