package ai.track.capidispatch.dispatch;

import ai.track.capidispatch.support.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PixelBatcherTest {

    private static final Duration LINGER = Duration.ofMillis(200);
    private static final BatchKey PIXEL_A = new BatchKey("111111111111111", null);
    private static final BatchKey PIXEL_B = new BatchKey("222222222222222", null);

    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_764_288_000L));
    private final RecordingSender sender = new RecordingSender();
    private final ManualExecutor executor = new ManualExecutor();

    // ---- flushing ---------------------------------------------------------------------------------------------

    @Test
    void sendsABatchOnceItHoldsMaxEvents() {
        PixelBatcher batcher = batcher(3, 1_000_000);

        batcher.submit(PIXEL_A, event("e1"), 10);
        batcher.submit(PIXEL_A, event("e2"), 10);
        assertThat(executor.queued()).as("two of three: keeps waiting for company").isZero();
        assertThat(batcher.pendingEvents()).isEqualTo(2);

        batcher.submit(PIXEL_A, event("e3"), 10);
        assertThat(executor.queued()).as("the third fills the batch").isEqualTo(1);
        assertThat(batcher.pendingEvents()).isZero();

        executor.runAll();
        assertThat(sender.batches).hasSize(1);
        assertThat(eventIds(sender.batches.get(0))).containsExactly("e1", "e2", "e3");
    }

    @Test
    void startsANewBatchWithTheEventThatWouldExceedMaxBytes() {
        PixelBatcher batcher = batcher(1000, 100);

        batcher.submit(PIXEL_A, event("e1"), 40);
        batcher.submit(PIXEL_A, event("e2"), 60);
        assertThat(executor.queued()).as("exactly maxBytes is still allowed").isZero();

        batcher.submit(PIXEL_A, event("e3"), 1);
        executor.runAll();

        assertThat(sender.batches).hasSize(1);
        assertThat(eventIds(sender.batches.get(0))).containsExactly("e1", "e2");
        assertThat(batcher.pendingEvents()).as("e3 opened the next batch").isEqualTo(1);

        batcher.drain();
        executor.runAll();
        assertThat(eventIds(sender.batches.get(1))).containsExactly("e3");
    }

    @Test
    void sendsALingeringBatchOnlyOnceTheLingerHasPassed() {
        PixelBatcher batcher = batcher(1000, 1_000_000);
        batcher.submit(PIXEL_A, event("e1"), 10);

        clock.advance(LINGER.minusMillis(1));
        batcher.flushExpired();
        assertThat(executor.queued()).isZero();
        assertThat(batcher.pendingEvents()).isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        batcher.flushExpired();
        executor.runAll();
        assertThat(sender.batches).hasSize(1);
        assertThat(eventIds(sender.batches.get(0))).containsExactly("e1");
        assertThat(batcher.pendingEvents()).isZero();
    }

    @Test
    void measuresTheLingerFromTheBatchsOldestEvent() {
        PixelBatcher batcher = batcher(1000, 1_000_000);
        batcher.submit(PIXEL_A, event("early"), 10);
        clock.advance(Duration.ofMillis(150));
        batcher.submit(PIXEL_A, event("late"), 10);

        clock.advance(Duration.ofMillis(50));
        batcher.flushExpired();
        executor.runAll();

        assertThat(sender.batches).hasSize(1);
        assertThat(eventIds(sender.batches.get(0))).as("the late event does not restart the wait")
                .containsExactly("early", "late");
    }

    @Test
    void flushesOnlyTheBatchesWhoseLingerHasPassed() {
        PixelBatcher batcher = batcher(1000, 1_000_000);
        batcher.submit(PIXEL_A, event("a1"), 10);
        clock.advance(Duration.ofMillis(150));
        batcher.submit(PIXEL_B, event("b1"), 10);

        clock.advance(Duration.ofMillis(50));
        batcher.flushExpired();
        executor.runAll();

        assertThat(sender.batches).singleElement().satisfies(batch -> {
            assertThat(batch.pixelId()).isEqualTo(PIXEL_A.pixelId());
            assertThat(eventIds(batch)).containsExactly("a1");
        });
        assertThat(batcher.pendingEvents()).isEqualTo(1);
    }

    // ---- keys -------------------------------------------------------------------------------------------------

    @Test
    void keepsPixelsAndTestEventCodesInSeparateRequests() {
        PixelBatcher batcher = batcher(1000, 1_000_000);
        BatchKey pixelATest = new BatchKey(PIXEL_A.pixelId(), "TEST12345");
        BatchKey defaultPixel = new BatchKey(null, null);
        BatchKey defaultPixelTest = new BatchKey(null, "TEST12345");

        batcher.submit(PIXEL_A, event("a1"), 10);
        batcher.submit(pixelATest, event("at1"), 10);
        batcher.submit(PIXEL_B, event("b1"), 10);
        batcher.submit(defaultPixel, event("d1"), 10);
        batcher.submit(defaultPixelTest, event("dt1"), 10);
        batcher.submit(PIXEL_A, event("a2"), 10);
        batcher.submit(defaultPixel, event("d2"), 10);
        assertThat(batcher.pendingEvents()).isEqualTo(7);

        clock.advance(LINGER);
        batcher.flushExpired();
        executor.runAll();

        Map<BatchKey, List<String>> sent = sender.batches.stream().collect(Collectors.toMap(
                batch -> new BatchKey(batch.pixelId(), batch.testEventCode()), PixelBatcherTest::eventIds));
        assertThat(sender.batches).as("one request per key").hasSize(5);
        assertThat(sent).containsOnly(
                Map.entry(PIXEL_A, List.of("a1", "a2")),
                Map.entry(pixelATest, List.of("at1")),
                Map.entry(PIXEL_B, List.of("b1")),
                Map.entry(defaultPixel, List.of("d1", "d2")),
                Map.entry(defaultPixelTest, List.of("dt1")));
    }

    @Test
    void countsMaxEventsPerKey() {
        PixelBatcher batcher = batcher(2, 1_000_000);

        batcher.submit(PIXEL_A, event("a1"), 10);
        batcher.submit(PIXEL_B, event("b1"), 10);
        assertThat(executor.queued()).as("two events, but one per pixel").isZero();

        batcher.submit(PIXEL_A, event("a2"), 10);
        executor.runAll();
        assertThat(sender.batches).singleElement()
                .satisfies(batch -> assertThat(eventIds(batch)).containsExactly("a1", "a2"));
    }

    // ---- results and acknowledgement --------------------------------------------------------------------------

    @Test
    void completesEachEventsFutureWithItsOwnResult() {
        PixelBatcher batcher = batcher(3, 1_000_000);
        GatewayResult rejected = new GatewayResult(GatewayResult.Verdict.DEAD_LETTER, ErrorClass.META_REJECTED,
                "Meta rejected the event (100)", 400, null, "trace-bad", null);
        sender.answer(event -> event.eventId().equals("bad") ? rejected
                : GatewayResult.delivered(200, "trace-" + event.eventId()));

        CompletableFuture<GatewayResult> first = batcher.submit(PIXEL_A, event("first"), 10);
        CompletableFuture<GatewayResult> bad = batcher.submit(PIXEL_A, event("bad"), 10);
        CompletableFuture<GatewayResult> last = batcher.submit(PIXEL_A, event("last"), 10);
        executor.runAll();

        assertThat(sender.batches).hasSize(1);
        assertThat(first).isCompletedWithValue(GatewayResult.delivered(200, "trace-first"));
        assertThat(bad).isCompletedWithValue(rejected);
        assertThat(last).isCompletedWithValue(GatewayResult.delivered(200, "trace-last"));
    }

    @Test
    void completesNoFutureBeforeItsBatchHasBeenSent() {
        PixelBatcher batcher = batcher(2, 1_000_000);

        CompletableFuture<GatewayResult> first = batcher.submit(PIXEL_A, event("e1"), 10);
        assertThat(first).as("waiting in the batcher").isNotDone();

        CompletableFuture<GatewayResult> second = batcher.submit(PIXEL_A, event("e2"), 10);
        assertThat(executor.queued()).as("handed to the executor").isEqualTo(1);
        assertThat(sender.batches).as("but not yet sent").isEmpty();
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        executor.runAll();
        assertThat(first).isCompletedWithValue(GatewayResult.delivered(200, "trace-e1"));
        assertThat(second).isCompletedWithValue(GatewayResult.delivered(200, "trace-e2"));
    }

    @Test
    void failsEveryFutureOfABatchWhoseSendThrowsAndOnlyThatBatch() {
        PixelBatcher batcher = batcher(1000, 1_000_000);
        IllegalStateException boom = new IllegalStateException("sender bug");
        sender.answer(event -> {
            if (event.eventId().startsWith("a")) {
                throw boom;
            }
            return GatewayResult.delivered(200, "trace-" + event.eventId());
        });

        CompletableFuture<GatewayResult> a1 = batcher.submit(PIXEL_A, event("a1"), 10);
        CompletableFuture<GatewayResult> a2 = batcher.submit(PIXEL_A, event("a2"), 10);
        CompletableFuture<GatewayResult> b1 = batcher.submit(PIXEL_B, event("b1"), 10);
        batcher.drain();
        executor.runAll();

        assertThat(a1).isCompletedExceptionally();
        assertThat(a2).isCompletedExceptionally();
        assertThat(a1.handle((result, failure) -> failure).join()).isSameAs(boom);
        assertThat(a2.handle((result, failure) -> failure).join()).isSameAs(boom);
        assertThat(b1).isCompletedWithValue(GatewayResult.delivered(200, "trace-b1"));
    }

    @Test
    void failsEveryFutureOfABatchWhenTheSenderThrowsAnError() {
        // An Error (a class that failed to initialise, out of memory) must not leave the futures pending: the
        // listener would wait for them forever and hold its permits.
        ExceptionInInitializerError broken = new ExceptionInInitializerError("gateway class failed to load");
        PixelBatcher batcher = batcher(2, 1_000_000, batch -> {
            throw broken;
        });

        CompletableFuture<GatewayResult> first = batcher.submit(PIXEL_A, event("e1"), 10);
        CompletableFuture<GatewayResult> second = batcher.submit(PIXEL_A, event("e2"), 10);

        assertThatThrownBy(executor::runAll).as("the Error still reaches the executor").isSameAs(broken);
        assertThat(first).isCompletedExceptionally();
        assertThat(second).isCompletedExceptionally();
        assertThat(second.handle((result, failure) -> failure).join()).isSameAs(broken);
    }

    @Test
    void failsEveryFutureOfABatchWhenTheSenderAnswersForTooFewEvents() {
        // Results are matched to events by position: with one missing, none can be trusted to be the event's own.
        PixelBatcher batcher = batcher(3, 1_000_000,
                batch -> List.of(GatewayResult.delivered(200, "t1"), GatewayResult.delivered(200, "t2")));

        List<CompletableFuture<GatewayResult>> futures = List.of(batcher.submit(PIXEL_A, event("e1"), 10),
                batcher.submit(PIXEL_A, event("e2"), 10), batcher.submit(PIXEL_A, event("e3"), 10));
        executor.runAll();

        assertThat(futures).allSatisfy(future -> {
            assertThat(future).isCompletedExceptionally();
            assertThat(future.handle((result, failure) -> failure).join())
                    .isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void failsTheFuturesWhenTheExecutorRejectsTheSend() {
        Executor shutDown = command -> {
            throw new RejectedExecutionException("executor shut down");
        };
        PixelBatcher batcher = new PixelBatcher(new PixelBatcher.Settings(2, 1_000_000, LINGER), sender, shutDown,
                clock);

        CompletableFuture<GatewayResult> first = batcher.submit(PIXEL_A, event("e1"), 10);
        CompletableFuture<GatewayResult> second = batcher.submit(PIXEL_A, event("e2"), 10);

        assertThat(first).isCompletedExceptionally();
        assertThat(second).isCompletedExceptionally();
        assertThat(first.handle((result, failure) -> failure).join())
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(sender.batches).isEmpty();
        assertThat(batcher.pendingEvents()).as("nothing left behind to send later").isZero();
    }

    // ---- shutdown ---------------------------------------------------------------------------------------------

    @Test
    void drainSendsPendingBatchesAtOnceAndLaterEventsWithoutWaiting() {
        PixelBatcher batcher = batcher(1000, 1_000_000);
        batcher.submit(PIXEL_A, event("a1"), 10);
        batcher.submit(PIXEL_A, event("a2"), 10);
        batcher.submit(PIXEL_B, event("b1"), 10);

        batcher.drain();
        assertThat(executor.queued()).as("no linger, no flushExpired").isEqualTo(2);
        assertThat(batcher.pendingEvents()).isZero();

        CompletableFuture<GatewayResult> late = batcher.submit(PIXEL_A, event("late"), 10);
        assertThat(executor.queued()).as("sent alone, immediately").isEqualTo(3);
        assertThat(batcher.pendingEvents()).isZero();

        executor.runAll();
        assertThat(sender.batches).extracting(PixelBatcherTest::eventIds)
                .containsExactlyInAnyOrder(List.of("a1", "a2"), List.of("b1"), List.of("late"));
        assertThat(late).isCompletedWithValue(GatewayResult.delivered(200, "trace-late"));
    }

    @Test
    void countsPendingEventsAcrossKeys() {
        PixelBatcher batcher = batcher(2, 1_000_000);
        assertThat(batcher.pendingEvents()).isZero();

        batcher.submit(PIXEL_A, event("a1"), 10);
        batcher.submit(PIXEL_B, event("b1"), 10);
        batcher.submit(new BatchKey(null, "TEST1"), event("t1"), 10);
        assertThat(batcher.pendingEvents()).isEqualTo(3);

        batcher.submit(PIXEL_A, event("a2"), 10);
        assertThat(batcher.pendingEvents()).as("pixel A's full batch left").isEqualTo(2);

        clock.advance(LINGER);
        batcher.flushExpired();
        assertThat(batcher.pendingEvents()).isZero();
    }

    // ---- helpers and fakes ------------------------------------------------------------------------------------

    private PixelBatcher batcher(int maxEvents, long maxBytes) {
        return batcher(maxEvents, maxBytes, sender);
    }

    private PixelBatcher batcher(int maxEvents, long maxBytes, BatchSender batchSender) {
        return new PixelBatcher(new PixelBatcher.Settings(maxEvents, maxBytes, LINGER), batchSender, executor,
                clock);
    }

    private static ServerEvent event(String eventId) {
        return new ServerEvent("Purchase", 1_764_288_000L, eventId, "website", "https://shop.example.com/done",
                UserData.EMPTY, null, Map.of());
    }

    private static List<String> eventIds(PixelBatch batch) {
        return batch.events().stream().map(ServerEvent::eventId).toList();
    }
    /** Records every batch and answers each event by the scripted function; delivers by default. */
    private static final class RecordingSender implements BatchSender {

        final List<PixelBatch> batches = new ArrayList<>();
        private Function<ServerEvent, GatewayResult> answer =
                event -> GatewayResult.delivered(200, "trace-" + event.eventId());

        void answer(Function<ServerEvent, GatewayResult> perEvent) {
            this.answer = perEvent;
        }

        @Override
        public List<GatewayResult> send(PixelBatch batch) {
            batches.add(batch);
            return batch.events().stream().map(answer).toList();
        }
    }

    /** Queues the sends; the test runs them, so "handed over" and "answered" can be told apart. */
    private static final class ManualExecutor implements Executor {

        private final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        int queued() {
            return tasks.size();
        }

        void runAll() {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                task.run();
            }
        }
    }
}
