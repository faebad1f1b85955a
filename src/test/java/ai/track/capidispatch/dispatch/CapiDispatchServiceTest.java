package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapiDispatchServiceTest {

    private static final Instant NOW = Instant.ofEpochSecond(1_764_288_000L);
    private static final String PIXEL = "123456789012345";
    /** Meta's documented vector: {@code John_Smith@gmail.com} normalized and hashed. */
    private static final String JOHN_SMITH_SHA256 = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
    private static final String PRE_HASHED_PHONE = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final FakeConversionsGateway gateway = new FakeConversionsGateway();
    private final RecordingDispatchMetrics metrics = new RecordingDispatchMetrics();
    private static final RetryPolicy RETRY_POLICY = new RetryPolicy(10, Duration.ofSeconds(5), Duration.ofMinutes(15),
            Duration.ofMinutes(5));
    private final CapiDispatchService service = new CapiDispatchService(
            new EventPreparer(new ConversionMessageParser(), new EventValidator(clock, Duration.ofMinutes(10)),
                    new EventIdGenerator(), new UserDataNormalizer(clock)),
            // One event per batch and sends on the calling thread: each dispatch completes before it returns.
            new PixelBatcher(new PixelBatcher.Settings(1, 1_000_000, Duration.ZERO),
                    new BisectingBatchSender(gateway), Runnable::run, clock),
            RETRY_POLICY, metrics, clock, new java.util.Random(42));

    @Test
    void deliversValidEventAndRecordsLatency() {
        gateway.answer(GatewayResult.delivered(200, "trace-1"));

        DispatchOutcome outcome = service.dispatch(incoming(purchase("order-8812", NOW.getEpochSecond() - 60))).join();

        assertThat(outcome).isEqualTo(new DispatchOutcome.Delivered("trace-1"));
        assertThat(gateway.batches).hasSize(1);
        assertThat(gateway.batches.get(0).pixelId()).isEqualTo(PIXEL);
        assertThat(gateway.batches.get(0).testEventCode()).isEqualTo("TEST12345");
        assertThat(metrics.outcomes).containsExactly(outcome);
        assertThat(metrics.latencies).containsExactly(Duration.ofSeconds(3));
        assertThat(metrics.latencyPixels).as("the latency is the message's pixel's").containsExactly(PIXEL);
    }

    @Test
    void deadLettersInvalidEventWithoutCallingMeta() {
        String body = """
                {"pixel_id": "%s", "event": {"event_time": %d, "action_source": "website",
                  "user_data": {"em": "John_Smith@gmail.com"}}}
                """.formatted(PIXEL, NOW.getEpochSecond());

        DispatchOutcome outcome = service.dispatch(incoming(body)).join();

        assertThat(outcome).isInstanceOfSatisfying(DispatchOutcome.DeadLetter.class, deadLetter -> {
            assertThat(deadLetter.errorClass()).isEqualTo(ErrorClass.INVALID_EVENT);
            assertThat(deadLetter.reason()).contains("event.event_name is missing")
                    .contains("event.event_source_url is required")
                    .contains("event.user_data.client_user_agent is required")
                    .doesNotContain("John_Smith").doesNotContainIgnoringCase("gmail");
            assertThat(deadLetter.metaError()).isNull();
        });
        assertThat(gateway.batches).as("Meta is never called for an invalid event").isEmpty();
        assertThat(metrics.outcomes).containsExactly(outcome);
        assertThat(metrics.latencies).isEmpty();
    }

    @Test
    void deadLettersEventOlderThanSevenDaysAsExpired() {
        DispatchOutcome outcome = service.dispatch(incoming(
                purchase("order-1", NOW.minus(Duration.ofDays(8)).getEpochSecond()))).join();

        assertThat(outcome).isInstanceOfSatisfying(DispatchOutcome.DeadLetter.class,
                deadLetter -> assertThat(deadLetter.errorClass()).isEqualTo(ErrorClass.EXPIRED));
        assertThat(gateway.batches).isEmpty();
    }

    @Test
    void deadLettersMalformedJsonAsInvalidMessage() {
        DispatchOutcome outcome = service.dispatch(incoming("{\"event\": {\"event_name\": ")).join();

        assertThat(outcome).isInstanceOfSatisfying(DispatchOutcome.DeadLetter.class,
                deadLetter -> assertThat(deadLetter.errorClass()).isEqualTo(ErrorClass.INVALID_MESSAGE));
        assertThat(gateway.batches).isEmpty();
        assertThat(metrics.outcomes).containsExactly(outcome);
    }

    @Test
    void sendsTheSha256OfTheNormalizedEmailAndPreHashedValuesUnchanged() {
        gateway.answer(GatewayResult.delivered(200, "trace-1"));

        service.dispatch(incoming(purchase("order-8812", NOW.getEpochSecond()))).join();

        UserData sent = onlySentEvent().userData();
        assertThat(sent.customerInformation().get("em")).containsExactly(JOHN_SMITH_SHA256);
        assertThat(sent.customerInformation().get("ph")).containsExactly(PRE_HASHED_PHONE);
        assertThat(sent.otherFields().get("client_user_agent").asString()).isEqualTo("Mozilla/5.0");
        assertThat(sent.otherFields().get("client_ip_address").asString())
                .as("non-contact fields are never hashed").isEqualTo("203.0.113.7");
    }

    @Test
    void keepsTheProducersEventId() {
        gateway.answer(GatewayResult.delivered(200, "trace-1"));

        service.dispatch(incoming(purchase("order-8812", NOW.getEpochSecond()))).join();

        assertThat(onlySentEvent().eventId()).isEqualTo("order-8812");
    }

    @Test
    void derivesTheSameEventIdWhenTheSameBodyArrivesTwice() {
        gateway.answer(GatewayResult.delivered(200, "trace-1"));
        String body = purchase(null, NOW.getEpochSecond());

        service.dispatch(incoming(body)).join();
        service.dispatch(incoming(body)).join();

        assertThat(gateway.batches).hasSize(2);
        String first = gateway.batches.get(0).events().get(0).eventId();
        String second = gateway.batches.get(1).events().get(0).eventId();
        assertThat(first).matches("capi-[0-9a-f]{32}").isEqualTo(second);
    }

    @Test
    void leavesTheMessageForRetryWhenMetaAsksForIt() {
        MetaError throttled = new MetaError(4, null, "OAuthException", "Application request limit reached", true,
                "trace-2");
        gateway.answer(new GatewayResult(GatewayResult.Verdict.RETRY, ErrorClass.TRANSIENT, "Meta throttled (4)", 400,
                throttled, "trace-2", Duration.ofSeconds(30)));

        DispatchOutcome outcome = service.dispatch(incoming(purchase("order-1", NOW.getEpochSecond()))).join();

        assertThat(outcome).isEqualTo(new DispatchOutcome.RetryLater(ErrorClass.TRANSIENT, "Meta throttled (4)",
                throttled, Duration.ofSeconds(30)));
        assertThat(metrics.latencies).as("only delivered messages have a dispatch latency").isEmpty();
    }

    @Test
    void deadLettersWhenMetaRejectsTheEvent() {
        MetaError rejected = new MetaError(100, 2804016, "OAuthException", "Invalid parameter", false, "trace-3");
        gateway.answer(new GatewayResult(GatewayResult.Verdict.DEAD_LETTER, ErrorClass.META_REJECTED,
                "Meta rejected the event (100/2804016)", 400, rejected, "trace-3", null));

        DispatchOutcome outcome = service.dispatch(incoming(purchase("order-1", NOW.getEpochSecond()))).join();

        assertThat(outcome).isEqualTo(new DispatchOutcome.DeadLetter(ErrorClass.META_REJECTED,
                "Meta rejected the event (100/2804016)", rejected));
    }

    @Test
    void holdsTheMessageWhenTheProblemIsNotTheEvents() {
        MetaError permission = new MetaError(200, null, "OAuthException", "Permissions error", false, "trace-4");
        gateway.answer(new GatewayResult(GatewayResult.Verdict.HOLD, ErrorClass.PERMISSION, "permission denied (200)",
                403, permission, "trace-4", null));

        DispatchOutcome outcome = service.dispatch(incoming(purchase("order-1", NOW.getEpochSecond()))).join();

        assertThat(outcome).isEqualTo(new DispatchOutcome.Held(ErrorClass.PERMISSION, "permission denied (200)",
                permission, RETRY_POLICY.holdDelay()));
    }

    @Test
    void deadLettersARetryableFailureOnceTheAttemptsAreUsedUp() {
        MetaError unknown = new MetaError(1, null, "OAuthException", "An unknown error occurred", true, "trace-5");
        gateway.answer(new GatewayResult(GatewayResult.Verdict.RETRY, ErrorClass.TRANSIENT, "Meta error 1", 500,
                unknown, "trace-5", null));

        DispatchOutcome outcome = service.dispatch(new IncomingMessage("msg-1",
                purchase("order-1", NOW.getEpochSecond()), 10, NOW)).join();

        assertThat(outcome).isInstanceOfSatisfying(DispatchOutcome.DeadLetter.class, deadLetter -> {
            assertThat(deadLetter.errorClass()).isEqualTo(ErrorClass.RETRIES_EXHAUSTED);
            assertThat(deadLetter.reason()).contains("10 attempts").contains("Meta error 1");
            assertThat(deadLetter.metaError()).isEqualTo(unknown);
        });
    }

    @Test
    void backsOffLongerWithEachAttempt() {
        gateway.answer(new GatewayResult(GatewayResult.Verdict.RETRY, ErrorClass.TRANSIENT, "HTTP 503", 503, null,
                null, null));
        String body = purchase("order-1", NOW.getEpochSecond());

        Duration first = ((DispatchOutcome.RetryLater) service.dispatch(
                new IncomingMessage("m", body, 1, NOW)).join()).retryAfter();
        Duration fifth = ((DispatchOutcome.RetryLater) service.dispatch(
                new IncomingMessage("m", body, 5, NOW)).join()).retryAfter();

        assertThat(first).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
        assertThat(fifth).isBetween(Duration.ofSeconds(40), Duration.ofSeconds(80));
    }

    @Test
    void holdsRatherThanRetriesWhileTheCircuitIsOpen() {
        gateway.answer(new GatewayResult(GatewayResult.Verdict.RETRY, ErrorClass.CIRCUIT_OPEN, "circuit open", 0,
                null, null, Duration.ofSeconds(30)));

        DispatchOutcome outcome = service.dispatch(new IncomingMessage("m",
                purchase("order-1", NOW.getEpochSecond()), 10, NOW)).join();

        assertThat(outcome).as("Meta was not called: no attempt is used up, nothing is dead-lettered")
                .isEqualTo(new DispatchOutcome.Held(ErrorClass.CIRCUIT_OPEN, "circuit open", null,
                        Duration.ofSeconds(30)));
    }

    // ---- helpers and fakes -----------------------------------------------------------------------------------

    private ServerEvent onlySentEvent() {
        assertThat(gateway.batches).hasSize(1);
        assertThat(gateway.batches.get(0).events()).hasSize(1);
        return gateway.batches.get(0).events().get(0);
    }

    private static IncomingMessage incoming(String body) {
        return new IncomingMessage("msg-1", body, 1, NOW.minusSeconds(3));
    }

    /** A website purchase: raw email, pre-hashed phone; {@code eventId} null leaves {@code event_id} out. */
    private static String purchase(String eventId, long eventTime) {
        String id = eventId == null ? "" : "\"event_id\": \"" + eventId + "\",";
        return """
                {"pixel_id": "%s", "test_event_code": "TEST12345",
                 "event": {"event_name": "Purchase", "event_time": %d, %s
                   "action_source": "website", "event_source_url": "https://shop.example.com/done",
                   "user_data": {"em": ["John_Smith@gmail.com"], "ph": "%s",
                                 "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"},
                   "custom_data": {"value": 49.99, "currency": "USD"}}}
                """.formatted(PIXEL, eventTime, id, PRE_HASHED_PHONE);
    }

    /** Records every batch and answers each with the scripted result. */
    private static final class FakeConversionsGateway implements ConversionsGateway {

        final List<PixelBatch> batches = new ArrayList<>();
        private GatewayResult answer = GatewayResult.delivered(200, "default");

        void answer(GatewayResult result) {
            this.answer = result;
        }

        @Override
        public GatewayResult send(PixelBatch batch) {
            batches.add(batch);
            return answer;
        }
    }

    private static final class RecordingDispatchMetrics implements DispatchMetrics {

        final List<DispatchOutcome> outcomes = new ArrayList<>();
        final List<Duration> latencies = new ArrayList<>();
        final List<String> latencyPixels = new ArrayList<>();

        @Override
        public void recordOutcome(DispatchOutcome outcome) {
            outcomes.add(outcome);
        }

        @Override
        public void recordDispatchLatency(String pixelId, Duration sentToAccepted) {
            latencies.add(sentToAccepted);
            latencyPixels.add(pixelId);
        }

        @Override
        public void recordMetaRequest(String pixelId, Duration latency, int eventCount, GatewayResult result) {
            // The gateway records its own requests; the service never calls this.
        }
    }
}
