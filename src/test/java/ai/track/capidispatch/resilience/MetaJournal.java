package ai.track.capidispatch.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Metadata;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * The Graph API stand-in's side of a test: stubs tagged with the role they play, and what they saw. Every
 * events request in WireMock's journal is parsed once into the events it carried ({@code custom_data.seq}
 * and {@code event_id}); a request counts as <em>accepted</em> only when a stub tagged {@link #ACCEPTS}
 * answered it with 200. A stub that answers 200 too late or not at all (a fault) is not one.
 *
 * <p>WireMock journals a request when its response is ready, before any configured delay: a journaled request
 * may still be in flight.
 */
public final class MetaJournal {

    /** Stub metadata key naming the stub's role. */
    public static final String ROLE = "role";
    public static final String ACCEPTS = "accepts";
    public static final String REJECTS = "rejects";
    public static final String FAULT = "fault";

    private final WireMockServer meta;
    private final String eventsPath;
    private final Map<UUID, Request> requests = new HashMap<>();

    /** One events request: when, which stub role answered it, and the events it carried. */
    public record Request(Instant at, String role, String stubName, boolean accepted, List<SentEvent> events) {
    }

    /** One event as the worker sent it. */
    public record SentEvent(int seq, String eventId) {
    }

    public MetaJournal(WireMockServer meta, String eventsPath) {
        this.meta = meta;
        this.eventsPath = eventsPath;
    }

    /**
     * Accepts every request, answering {@code events_received} = the number of events sent.
     *
     * @param delayMillis how long Meta takes to answer; 0 for at once
     */
    public StubMapping stubAccepting(int delayMillis) {
        ResponseDefinitionBuilder response = aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},\"fbtrace_id\":\"T\"}")
                .withTransformers("response-template");
        if (delayMillis > 0) {
            response = response.withFixedDelay(delayMillis);
        }
        return meta.stubFor(events(5, ACCEPTS, "accepts").willReturn(response));
    }

    /** Rejects any request holding a poison event, as Meta rejects a whole request for one invalid event. */
    public StubMapping stubRejectingPoison() {
        return meta.stubFor(events(3, REJECTS, "poison").withRequestBody(containing(NumberedEvents.POISON_MARKER))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Invalid parameter\",\"type\":\"OAuthException\","
                                + "\"code\":100,\"error_subcode\":2804019,\"is_transient\":false,"
                                + "\"error_user_title\":\"Invalid Custom Data\",\"fbtrace_id\":\"PoisonTrace\"}}")));
    }

    /** Answers every events request with {@code response}, ahead of the accepting and rejecting stubs. */
    public StubMapping stubFault(String name, ResponseDefinitionBuilder response) {
        return meta.stubFor(events(1, FAULT, name).willReturn(response));
    }

    private MappingBuilder events(int priority, String role, String name) {
        return post(urlPathEqualTo(eventsPath)).atPriority(priority)
                .withMetadata(Metadata.metadata().attr(ROLE, role).attr("name", name).build());
    }

    /** Every events request so far, oldest first. */
    public synchronized List<Request> requests() {
        for (ServeEvent event : meta.getAllServeEvents()) {
            if (!requests.containsKey(event.getId()) && eventsPath.equals(event.getRequest().getUrl())) {
                requests.put(event.getId(), parse(event));
            }
        }
        List<Request> all = new ArrayList<>(requests.values());
        all.sort((a, b) -> a.at().compareTo(b.at()));
        return all;
    }

    /** The seqs of every event that was in at least one accepted request. */
    public Set<Integer> acceptedSeqs() {
        Set<Integer> seqs = new HashSet<>();
        for (Request request : requests()) {
            if (request.accepted()) {
                request.events().forEach(event -> seqs.add(event.seq()));
            }
        }
        return seqs;
    }

    /** For each event, every {@code event_id} it was sent with, in any request (accepted or not). */
    public Map<Integer, Set<String>> eventIdsBySeq() {
        Map<Integer, Set<String>> ids = new TreeMap<>();
        for (Request request : requests()) {
            request.events().forEach(event -> ids.computeIfAbsent(event.seq(), seq -> new HashSet<>())
                    .add(event.eventId()));
        }
        return ids;
    }

    /** For each event, how many requests carried it (bisection and resends included). */
    public Map<Integer, Integer> sendsBySeq() {
        Map<Integer, Integer> sends = new TreeMap<>();
        for (Request request : requests()) {
            request.events().forEach(event -> sends.merge(event.seq(), 1, Integer::sum));
        }
        return sends;
    }

    /** How many requests each named stub answered. */
    public Map<String, Integer> requestsByStub() {
        Map<String, Integer> counts = new TreeMap<>();
        requests().forEach(request -> counts.merge(request.stubName(), 1, Integer::sum));
        return counts;
    }

    private static Request parse(ServeEvent event) {
        StubMapping stub = event.getStubMapping();
        Metadata metadata = stub == null ? null : stub.getMetadata();
        String role = metadata == null ? null : metadata.getString(ROLE, null);
        String name = metadata == null ? "unmatched" : metadata.getString("name", "unnamed");
        boolean accepted = ACCEPTS.equals(role) && event.getResponse() != null
                && event.getResponse().getStatus() == 200;
        List<SentEvent> events = new ArrayList<>();
        for (JsonNode sent : NumberedEvents.json().readTree(event.getRequest().getBodyAsString()).path("data")) {
            JsonNode id = sent.path("event_id");
            events.add(new SentEvent(NumberedEvents.seqOf(sent), id.isString() ? id.stringValue() : null));
        }
        return new Request(event.getRequest().getLoggedDate().toInstant(), role, name, accepted, List.copyOf(events));
    }
}
