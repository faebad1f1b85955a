package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BisectingBatchSenderTest {

    private static final String PIXEL = "123456789012345";
    private static final String TEST_CODE = "TEST12345";
    private static final String POISON = "Poison";
    private static final String GIANT = "Giant";
    /** One request for the whole batch, one per halving, one for everything that waited: the "about 12". */
    private static final int REQUEST_BOUND_FOR_1000 = 1 + ceilLog2(1000) + 1;

    private final PoisonRejectingGateway gateway = new PoisonRejectingGateway();
    private final BisectingBatchSender sender = new BisectingBatchSender(gateway);

    @ParameterizedTest(name = "poison at index {0}: {1} requests")
    @CsvSource({
            "0,   11", // always in the left half: 9 rejected lefts (the smaller halves), then the 999 that waited
            "999, 11", // always in the right half: 10 accepted lefts, nothing waits
            "500, 11"})  // the left half is accepted, then the poison leads every part
    void isolatesOnePoisonEventAmongAThousand(int poisonIndex, int expectedRequests) {
        PixelBatch batch = batch(1000, Set.of(poisonIndex));

        List<GatewayResult> results = sender.send(batch);

        assertOnlyPoisonDeadLettered(batch, results);
        assertThat(results.get(poisonIndex).error().code()).isEqualTo(100);
        assertThat(gateway.requestCount()).isEqualTo(expectedRequests).isLessThanOrEqualTo(REQUEST_BOUND_FOR_1000);
        assertThat(gateway.requests).as("every part goes to the same pixel with the same test code")
                .allSatisfy(request -> {
                    assertThat(request.pixelId()).isEqualTo(PIXEL);
                    assertThat(request.testEventCode()).isEqualTo(TEST_CODE);
                });
    }

    @Test
    void staysWithinTheRequestBoundWhereverThePoisonSits() {
        for (int poisonIndex = 0; poisonIndex < 1000; poisonIndex++) {
            gateway.requests.clear();
            PixelBatch batch = batch(1000, Set.of(poisonIndex));

            List<GatewayResult> results = sender.send(batch);

            assertOnlyPoisonDeadLettered(batch, results);
            assertThat(gateway.requestCount()).as("requests with the poison at index %d", poisonIndex)
                    .isLessThanOrEqualTo(REQUEST_BOUND_FOR_1000);
        }
    }

    @Test
    void isolatesThreeScatteredPoisonEvents() {
        PixelBatch batch = batch(1000, Set.of(3, 500, 998));

        List<GatewayResult> results = sender.send(batch);

        assertOnlyPoisonDeadLettered(batch, results);
        assertThat(gateway.requestCount()).as("one search, then the waiting parts halved with both halves sent")
                .isEqualTo(46);
    }

    @Test
    void deadLettersEveryEventWhenAllArePoison() {
        PixelBatch batch = batch(1000, allIndexes(1000));

        List<GatewayResult> results = sender.send(batch);

        assertOnlyPoisonDeadLettered(batch, results);
        assertThat(gateway.requestCount()).as("about every node of the halving tree, 2n - 1, plus the rejected rest")
                .isEqualTo(2000);
    }

    @Test
    void deliversAHealthyBatchWithOneRequest() {
        PixelBatch batch = batch(1000, Set.of());

        List<GatewayResult> results = sender.send(batch);

        assertThat(results).hasSize(1000).containsOnly(PoisonRejectingGateway.DELIVERED);
        assertThat(gateway.requestCount()).isEqualTo(1);
    }

    @Test
    void retriesTheWholeBatchWithoutSplittingOnATransientFailure() {
        GatewayResult unavailable = new GatewayResult(GatewayResult.Verdict.RETRY, ErrorClass.TRANSIENT, "HTTP 503",
                503, null, null, null);
        gateway.answerRequest(1, unavailable);
        PixelBatch batch = batch(1000, Set.of(17));

        List<GatewayResult> results = sender.send(batch);

        assertThat(gateway.requestCount()).as("a 503 says nothing about any one event").isEqualTo(1);
        assertThat(results).hasSize(1000).containsOnly(unavailable);
    }

    @Test
    void holdsTheWholeBatchWithoutSplitting() {
        GatewayResult permission = new GatewayResult(GatewayResult.Verdict.HOLD, ErrorClass.PERMISSION,
                "permission denied (200)", 403, new MetaError(200, null, "OAuthException", "Permissions error", false,
                        "trace-perm"), "trace-perm", null);
        gateway.answerRequest(1, permission);
        PixelBatch batch = batch(1000, Set.of(17));

        List<GatewayResult> results = sender.send(batch);

        assertThat(gateway.requestCount()).isEqualTo(1);
        assertThat(results).hasSize(1000).containsOnly(permission);
    }

    @Test
    void holdsTheWholeBatchWithoutSplittingAnAnswerThatIsNotMetas() {
        GatewayResult notMeta = new GatewayResult(GatewayResult.Verdict.HOLD, ErrorClass.NON_META_RESPONSE,
                "HTTP 404 without a Meta error body (HTML page)", 404, null, null, null);
        gateway.answerRequest(1, notMeta);
        PixelBatch batch = batch(1000, Set.of(17));

        List<GatewayResult> results = sender.send(batch);

        assertThat(gateway.requestCount()).as("a proxy's 404 page would meet every part alike").isEqualTo(1);
        assertThat(results).hasSize(1000).containsOnly(notMeta);
    }

    @Test
    void splitsARequestTooLargeUntilThePartsFit() {
        gateway.refuseAsTooLargeAbove(250);
        PixelBatch batch = batch(1000, Set.of());

        List<GatewayResult> results = sender.send(batch);

        assertThat(results).hasSize(1000).containsOnly(PoisonRejectingGateway.DELIVERED);
        assertThat(gateway.requests).extracting(request -> request.events().size())
                .containsExactly(1000, 500, 250, 250, 500, 250, 250);
    }

    @Test
    void stopsAfterOneDescentWhenEvenASingleEventIsTooLarge() {
        gateway.refuseAsTooLargeAbove(0);
        PixelBatch batch = batch(1000, Set.of());

        List<GatewayResult> results = sender.send(batch);

        assertThat(results).hasSize(1000).containsOnly(PoisonRejectingGateway.TOO_LARGE);
        assertThat(gateway.requests).as("1000, 500, 250, ... 1: the left spine only, then nothing more is sent")
                .extracting(request -> request.events().size())
                .containsExactly(1000, 500, 250, 125, 62, 31, 15, 7, 3, 1);
    }

    @Test
    void deliversWhatWasSentBeforeAnEventTooLargeOnItsOwnAndHoldsTheRest() {
        PixelBatch batch = batch(8, Set.of(), Set.of(5));

        List<GatewayResult> results = sender.send(batch);

        assertThat(results).containsExactly(PoisonRejectingGateway.DELIVERED, PoisonRejectingGateway.DELIVERED,
                PoisonRejectingGateway.DELIVERED, PoisonRejectingGateway.DELIVERED, PoisonRejectingGateway.DELIVERED,
                PoisonRejectingGateway.TOO_LARGE, PoisonRejectingGateway.TOO_LARGE, PoisonRejectingGateway.TOO_LARGE);
        assertThat(gateway.requests).extracting(BisectingBatchSenderTest::eventIds).containsExactly(
                List.of("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"), List.of("e0", "e1", "e2", "e3"),
                List.of("e4", "e5", "e6", "e7"), List.of("e4", "e5"), List.of("e4"), List.of("e5"));
    }

    @Test
    void findsAPoisonEventInAPartSplitForSize() {
        gateway.refuseAsTooLargeAbove(4);
        PixelBatch batch = batch(8, Set.of(6));

        List<GatewayResult> results = sender.send(batch);

        assertOnlyPoisonDeadLettered(batch, results);
        assertThat(gateway.requests).extracting(BisectingBatchSenderTest::eventIds).containsExactly(
                List.of("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"), List.of("e0", "e1", "e2", "e3"),
                List.of("e4", "e5", "e6", "e7"), List.of("e4", "e5"), List.of("e6"), List.of("e7"));
    }

    @Test
    void findsAPoisonEventWhoseLeftHalfWasDeliveredInParts() {
        // The whole is rejected for the poison, its left half is delivered only after a split for size: the
        // right half must hold the poison, so it is split without being sent whole.
        gateway.answerRequest(2, PoisonRejectingGateway.TOO_LARGE);
        PixelBatch batch = batch(8, Set.of(6));

        List<GatewayResult> results = sender.send(batch);

        assertOnlyPoisonDeadLettered(batch, results);
        assertThat(gateway.requests).extracting(BisectingBatchSenderTest::eventIds).containsExactly(
                List.of("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"), List.of("e0", "e1", "e2", "e3"),
                List.of("e0", "e1"), List.of("e2", "e3"), List.of("e4", "e5"), List.of("e6"), List.of("e7"));
    }

    @Test
    void splitsOnlyRejectionsOfTheEventsThemselves() {
        GatewayResult incomplete = new GatewayResult(GatewayResult.Verdict.DEAD_LETTER,
                ErrorClass.INCOMPLETE_RESPONSE, "Meta received 999 of 1000 events", 200, null, "trace-inc", null);
        gateway.answerRequest(1, incomplete);
        PixelBatch batch = batch(1000, Set.of(17));

        List<GatewayResult> results = sender.send(batch);

        assertThat(gateway.requestCount()).isEqualTo(1);
        assertThat(results).hasSize(1000).containsOnly(incomplete);
    }

    @Test
    void deadLettersARejectedBatchOfOneWithOneRequest() {
        PixelBatch batch = batch(1, Set.of(0));

        List<GatewayResult> results = sender.send(batch);

        assertThat(gateway.requestCount()).isEqualTo(1);
        assertThat(results).singleElement().isEqualTo(PoisonRejectingGateway.rejection("e0"));
    }

    @Test
    void returnsResultsInTheBatchsOrder() {
        PixelBatch batch = batch(6, Set.of(1, 4));

        List<GatewayResult> results = sender.send(batch);

        assertThat(results).extracting(GatewayResult::verdict).containsExactly(
                GatewayResult.Verdict.DELIVERED, GatewayResult.Verdict.DEAD_LETTER, GatewayResult.Verdict.DELIVERED,
                GatewayResult.Verdict.DELIVERED, GatewayResult.Verdict.DEAD_LETTER, GatewayResult.Verdict.DELIVERED);
        assertThat(results.get(1)).isEqualTo(PoisonRejectingGateway.rejection("e1"));
        assertThat(results.get(4)).isEqualTo(PoisonRejectingGateway.rejection("e4"));
    }

    @Test
    void leavesAPartForRetryWhenItFailsTransientlyWhileBisecting() {
        GatewayResult timeout = new GatewayResult(GatewayResult.Verdict.RETRY, ErrorClass.TRANSIENT, "timeout", 0,
                null, null, null);
        gateway.answerRequest(2, timeout); // the left half [e0, e1], after the whole was rejected
        PixelBatch batch = batch(4, Set.of(3));

        List<GatewayResult> results = sender.send(batch);

        assertThat(results).containsExactly(timeout, timeout, PoisonRejectingGateway.DELIVERED,
                PoisonRejectingGateway.rejection("e3"));
        assertThat(gateway.requests).extracting(BisectingBatchSenderTest::eventIds).containsExactly(
                List.of("e0", "e1", "e2", "e3"), List.of("e0", "e1"), List.of("e2", "e3"), List.of("e2"));
    }

    // ---- helpers and fakes ------------------------------------------------------------------------------------

    /**
     * Every poison event is dead-lettered with Meta's rejection naming that event, every other event is
     * delivered, one result per event.
     */
    private static void assertOnlyPoisonDeadLettered(PixelBatch batch, List<GatewayResult> results) {
        assertThat(results).hasSameSizeAs(batch.events());
        for (int i = 0; i < results.size(); i++) {
            ServerEvent event = batch.events().get(i);
            GatewayResult expected = POISON.equals(event.eventName())
                    ? PoisonRejectingGateway.rejection(event.eventId())
                    : PoisonRejectingGateway.DELIVERED;
            assertThat(results.get(i)).as("result for %s", event.eventId()).isEqualTo(expected);
        }
    }

    private static PixelBatch batch(int size, Set<Integer> poisonIndexes) {
        return batch(size, poisonIndexes, Set.of());
    }

    /** @param giantIndexes events too large for the fake's size limit even on their own */
    private static PixelBatch batch(int size, Set<Integer> poisonIndexes, Set<Integer> giantIndexes) {
        List<ServerEvent> events = IntStream.range(0, size)
                .mapToObj(i -> event("e" + i, poisonIndexes.contains(i) ? POISON
                        : giantIndexes.contains(i) ? GIANT : "Purchase"))
                .toList();
        return new PixelBatch(PIXEL, TEST_CODE, events);
    }

    private static Set<Integer> allIndexes(int size) {
        return Set.copyOf(IntStream.range(0, size).boxed().toList());
    }

    private static ServerEvent event(String eventId, String eventName) {
        return new ServerEvent(eventName, 1_764_288_000L, eventId, "website", "https://shop.example.com/done",
                UserData.EMPTY, null, Map.of());
    }

    private static List<String> eventIds(PixelBatch batch) {
        return batch.events().stream().map(ServerEvent::eventId).toList();
    }

    private static int ceilLog2(int n) {
        return 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    /**
     * Meta as the bisection sees it: rejects any request holding a poison event (code 100, naming the first
     * such event in its trace id) and delivers every other one. A proxy in front of it can refuse requests as too
     * large: those with more events than a limit, and any holding a giant event. Individual requests can be
     * scripted.
     */
    private static final class PoisonRejectingGateway implements ConversionsGateway {

        static final GatewayResult DELIVERED = GatewayResult.delivered(200, "trace-ok");
        static final GatewayResult TOO_LARGE = new GatewayResult(GatewayResult.Verdict.HOLD,
                ErrorClass.REQUEST_TOO_LARGE, "HTTP 413 without a Meta error body (HTML page)", 413, null, null, null);

        final List<PixelBatch> requests = new ArrayList<>();
        private final Map<Integer, GatewayResult> scripted = new HashMap<>();
        private int maxEvents = Integer.MAX_VALUE;

        void refuseAsTooLargeAbove(int events) {
            maxEvents = events;
        }

        static GatewayResult rejection(String poisonEventId) {
            String trace = "trace-" + poisonEventId;
            return new GatewayResult(GatewayResult.Verdict.DEAD_LETTER, ErrorClass.META_REJECTED,
                    "Meta rejected the event (100/2804003)", 400,
                    new MetaError(100, 2804003, "OAuthException", "Invalid parameter", false, trace), trace, null);
        }

        int requestCount() {
            return requests.size();
        }

        /** @param number 1 for the first request */
        void answerRequest(int number, GatewayResult result) {
            scripted.put(number, result);
        }

        @Override
        public GatewayResult send(PixelBatch batch) {
            requests.add(batch);
            GatewayResult override = scripted.get(requests.size());
            if (override != null) {
                return override;
            }
            if (batch.events().size() > maxEvents
                    || batch.events().stream().anyMatch(event -> GIANT.equals(event.eventName()))) {
                return TOO_LARGE;
            }
            return batch.events().stream()
                    .filter(event -> POISON.equals(event.eventName()))
                    .findFirst()
                    .map(poison -> rejection(poison.eventId()))
                    .orElse(DELIVERED);
        }
    }
}
