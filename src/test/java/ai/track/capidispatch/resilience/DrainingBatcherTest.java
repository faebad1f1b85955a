package ai.track.capidispatch.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.dispatch.BatchKey;
import ai.track.capidispatch.dispatch.BatchSender;
import ai.track.capidispatch.dispatch.GatewayResult;
import ai.track.capidispatch.dispatch.PixelBatch;
import ai.track.capidispatch.dispatch.PixelBatcher;
import ai.track.capidispatch.dispatch.ServerEvent;
import ai.track.capidispatch.dispatch.UserData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * On shutdown the batcher sends what it holds at once and later events stop waiting for the linger. They must
 * still share requests while every sender is busy: one request per event, each waiting for a sender behind
 * Meta's latency, outlasts the listener's shutdown timeout ({@link ShutdownEndToEndTest} met 40 one-event
 * requests at 1.5 s each and a close of 17 s).
 */
class DrainingBatcherTest {

    private static final BatchKey PIXEL = new BatchKey("123456789012345", null);

    private final ManualExecutor senders = new ManualExecutor();
    private final List<List<String>> requests = new ArrayList<>();
    private BatchSender sender = batch -> answer(batch);

    @Test
    void eventsArrivingWhileEverySenderIsBusyShareOneRequest() {
        PixelBatcher batcher = batcher(1000);
        batcher.drain();

        List<CompletableFuture<GatewayResult>> results = IntStream.range(0, 10)
                .mapToObj(i -> batcher.submit(PIXEL, event("late-" + i), 10)).toList();
        assertThat(senders.queued()).as("one send waits for a free sender, without a linger").isEqualTo(1);

        senders.runAll();
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0)).hasSize(10);
        assertThat(results).allSatisfy(result -> assertThat(result)
                .isCompletedWithValue(GatewayResult.delivered(200, "T")));
    }

    @Test
    void aBatchTakesNoMoreEventsOnceItsSendHasStarted() {
        PixelBatcher batcher = batcher(1000);
        batcher.drain();
        List<CompletableFuture<GatewayResult>> duringSend = new ArrayList<>();
        sender = batch -> {
            if (duringSend.isEmpty()) {
                duringSend.add(batcher.submit(PIXEL, event("during"), 10));
            }
            return answer(batch);
        };

        batcher.submit(PIXEL, event("first"), 10);
        senders.runAll();

        assertThat(requests).containsExactly(List.of("first"), List.of("during"));
        assertThat(duringSend.get(0)).isCompleted();
    }

    @Test
    void aWaitingBatchStillStopsAtMaxEvents() {
        PixelBatcher batcher = batcher(3);
        batcher.drain();

        IntStream.range(0, 5).forEach(i -> batcher.submit(PIXEL, event("e" + i), 10));
        senders.runAll();

        assertThat(requests).containsExactly(List.of("e0", "e1", "e2"), List.of("e3", "e4"));
    }

    private PixelBatcher batcher(int maxEvents) {
        return new PixelBatcher(new PixelBatcher.Settings(maxEvents, 1_000_000, Duration.ofMillis(200)),
                batch -> sender.send(batch), senders,
                Clock.fixed(Instant.ofEpochSecond(1_764_288_000L), ZoneOffset.UTC));
    }

    private List<GatewayResult> answer(PixelBatch batch) {
        requests.add(batch.events().stream().map(ServerEvent::eventId).toList());
        return batch.events().stream().map(event -> GatewayResult.delivered(200, "T")).toList();
    }

    private static ServerEvent event(String eventId) {
        return new ServerEvent("Lead", 1_764_288_000L, eventId, "system_generated", null, UserData.EMPTY, null,
                Map.of());
    }

    /** Sends wait here until the test lets them run: every sender is busy until then. */
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
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }
}
