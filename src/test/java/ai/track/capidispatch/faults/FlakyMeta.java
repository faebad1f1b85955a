package ai.track.capidispatch.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import ai.track.capidispatch.support.TestInfrastructure;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Graph API stand-in of the fault harness (and Secrets Manager on {@code /}): WireMock, with every events
 * request answered by a choice made for that request alone. In a {@link Phase#FLAKY} phase a request meets a
 * random fault with probability {@code faultRate}; in a {@link Phase#DOWN} phase every request fails; otherwise
 * a request is rejected with code 100 if it holds a poison event, and accepted if not.
 *
 * <p>It keeps its own journal, per event: how often it was accepted, and every {@code event_id} it came with.
 * An event counts as accepted only when a request holding it was answered 200 at once; the late 200 of a
 * {@link Answer#TIMEOUT} reaches nobody (the worker gave up), so it does not count.
 */
final class FlakyMeta implements AutoCloseable {

    enum Phase { HEALTHY, FLAKY, DOWN }

    /** How an events request was answered. */
    enum Answer {
        ACCEPTED(false),
        POISON_REJECTED(false),
        HTTP_500(true),
        HTTP_503(true),
        HTTP_429_RETRY_AFTER(true),
        THROTTLED_4(true),
        THROTTLED_17(true),
        THROTTLED_613(true),
        /** Meta takes the events but answers after the worker's call timeout. */
        TIMEOUT(true),
        CONNECTION_RESET(true);

        private final boolean fault;

        Answer(boolean fault) {
            this.fault = fault;
        }

        boolean fault() {
            return fault;
        }
    }

    private static final Answer[] FAULTS = {Answer.HTTP_500, Answer.HTTP_503, Answer.HTTP_429_RETRY_AFTER,
        Answer.THROTTLED_4, Answer.THROTTLED_17, Answer.THROTTLED_613, Answer.TIMEOUT, Answer.CONNECTION_RESET};
    /** What an outage looks like from the outside: the edge answers 5xx, or nothing useful at all. */
    private static final Answer[] OUTAGE = {Answer.HTTP_500, Answer.HTTP_503, Answer.TIMEOUT,
        Answer.CONNECTION_RESET};
    private static final Pattern EVENTS_PATH = Pattern.compile("/v\\d+\\.\\d+/\\d+/events");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WireMockServer server;
    private final Random random;
    private final double faultRate;
    private final Duration lateBy;
    private volatile Phase phase = Phase.HEALTHY;

    // The journal, guarded by this.
    private final Map<Integer, Integer> acceptedBySeq = new HashMap<>();
    private final Map<Integer, Set<String>> eventIdsBySeq = new HashMap<>();
    private final Map<Answer, Integer> answers = new EnumMap<>(Answer.class);
    private int unreadableRequests;

    /**
     * @param faultRate share of requests that meet a fault in a flaky phase
     * @param lateBy how long a {@link Answer#TIMEOUT} answer takes: longer than the worker's call timeout
     */
    FlakyMeta(long seed, double faultRate, Duration lateBy, String secretJson) {
        this.random = new Random(seed);
        this.faultRate = faultRate;
        this.lateBy = lateBy;
        this.server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(64).asynchronousResponseEnabled(true).asynchronousResponseThreads(16)
                .disableRequestJournal() // the stand-in keeps what it needs; thousands of bodies would not fit
                .extensions(new Transformer()));
        server.start();
        server.stubFor(post(urlPathMatching(EVENTS_PATH.pattern())).willReturn(aResponse().withStatus(500)));
        TestInfrastructure.stubSecret(server, secretJson);
    }

    String baseUrl() {
        return server.baseUrl();
    }

    void phase(Phase next) {
        this.phase = next;
    }

    Phase phase() {
        return phase;
    }

    /** A consistent copy of the journal. */
    synchronized Journal journal() {
        Map<Integer, Set<String>> ids = new HashMap<>();
        eventIdsBySeq.forEach((seq, set) -> ids.put(seq, Collections.unmodifiableSet(new HashSet<>(set))));
        return new Journal(Map.copyOf(acceptedBySeq), Collections.unmodifiableMap(ids), new EnumMap<>(answers), unreadableRequests);
    }

    /**
     * What the stand-in saw.
     *
     * @param acceptedBySeq for each event accepted at least once, how many times
     * @param eventIdsBySeq for each event that reached the stand-in, every {@code event_id} it carried
     * @param answers how many events requests got each answer
     * @param unreadableRequests events requests whose events had no {@code custom_data.seq}
     */
    record Journal(Map<Integer, Integer> acceptedBySeq, Map<Integer, Set<String>> eventIdsBySeq,
            Map<Answer, Integer> answers, int unreadableRequests) {

        int requests() {
            return answers.values().stream().mapToInt(Integer::intValue).sum();
        }

        int faults() {
            return answers.entrySet().stream().filter(entry -> entry.getKey().fault())
                    .mapToInt(Map.Entry::getValue).sum();
        }
    }

    private Answer choose(List<Integer> seqs) {
        Phase now = phase;
        if (now == Phase.DOWN) {
            return OUTAGE[random.nextInt(OUTAGE.length)];
        }
        if (now == Phase.FLAKY && random.nextDouble() < faultRate) {
            return FAULTS[random.nextInt(FAULTS.length)];
        }
        boolean poisoned = seqs.stream().anyMatch(seq -> EventPlan.kindOf(seq) == EventPlan.Kind.META_POISON);
        return poisoned ? Answer.POISON_REJECTED : Answer.ACCEPTED;
    }

    private synchronized void record(Answer answer, List<Integer> seqs, List<String> eventIds, boolean readable) {
        answers.merge(answer, 1, Integer::sum);
        if (!readable) {
            unreadableRequests++;
        }
        for (int i = 0; i < seqs.size(); i++) {
            eventIdsBySeq.computeIfAbsent(seqs.get(i), seq -> new HashSet<>()).add(eventIds.get(i));
            if (answer == Answer.ACCEPTED) {
                acceptedBySeq.merge(seqs.get(i), 1, Integer::sum);
            }
        }
    }

    private ResponseDefinition respond(Answer answer, int events) {
        ResponseDefinitionBuilder response;
        switch (answer) {
            case ACCEPTED:
                response = accepted(events);
                break;
            case POISON_REJECTED:
                response = aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Invalid parameter\",\"type\":\"OAuthException\","
                                + "\"code\":100,\"error_subcode\":2804019,\"is_transient\":false,"
                                + "\"error_user_title\":\"Invalid Custom Data\",\"fbtrace_id\":\"HarnessPoison\"}}");
                break;
            case HTTP_500:
                response = aResponse().withStatus(500).withBody("<html>Internal Server Error</html>");
                break;
            case HTTP_503:
                response = aResponse().withStatus(503).withBody("");
                break;
            case HTTP_429_RETRY_AFTER:
                response = aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("<html>Too Many Requests</html>");
                break;
            case THROTTLED_4:
                response = metaError(400, 4, "(#4) Application request limit reached");
                break;
            case THROTTLED_17:
                response = metaError(403, 17, "(#17) User request limit reached");
                break;
            case THROTTLED_613:
                response = metaError(400, 613, "(#613) Calls to this api have exceeded the rate limit.");
                break;
            case TIMEOUT:
                response = accepted(events).withFixedDelay((int) lateBy.toMillis());
                break;
            case CONNECTION_RESET:
                response = aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
                break;
            default:
                throw new IllegalStateException("unknown answer " + answer);
        }
        return response.build();
    }

    private static ResponseDefinitionBuilder accepted(int events) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":" + events + ",\"fbtrace_id\":\"HarnessAccepted\"}");
    }

    private static ResponseDefinitionBuilder metaError(int status, int code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\","
                        + "\"is_transient\":true,\"code\":" + code + ",\"fbtrace_id\":\"HarnessThrottled" + code
                        + "\"}}");
    }

    /** Picks and journals each events request's answer; leaves the Secrets Manager stub alone. */
    private final class Transformer implements ResponseDefinitionTransformerV2 {

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            if (!EVENTS_PATH.matcher(serveEvent.getRequest().getUrl()).matches()) {
                return serveEvent.getResponseDefinition();
            }
            List<Integer> seqs = new ArrayList<>();
            List<String> eventIds = new ArrayList<>();
            boolean readable = true;
            int sent = 0;
            try {
                for (JsonNode event : JSON.readTree(serveEvent.getRequest().getBodyAsString()).path("data")) {
                    sent++;
                    JsonNode seq = event.path("custom_data").path("seq");
                    if (!seq.isIntegralNumber()) {
                        readable = false;
                        continue;
                    }
                    seqs.add(seq.intValue());
                    JsonNode id = event.path("event_id");
                    eventIds.add(id.isString() ? id.stringValue() : null);
                }
            } catch (RuntimeException unreadable) {
                readable = false;
            }
            Answer answer = choose(seqs);
            record(answer, seqs, eventIds, readable);
            return respond(answer, sent);
        }

        @Override
        public String getName() {
            return "flaky-meta";
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
