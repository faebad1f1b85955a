package ai.track.capidispatch.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Collects events per {@link BatchKey} and sends them as one Meta request when a batch is full (count or
 * bytes), or when its oldest event has waited {@code linger}. Each submitted event gets a future of its own
 * result, so every message is acknowledged only once its batch's outcome is known.
 *
 * <p>Time is injected and lingering batches are flushed by {@link #flushExpired()}, which production calls
 * on a short tick and tests call after moving the clock.
 */
public final class PixelBatcher {

    /**
     * @param maxEvents events per request, at most Meta's 1,000
     * @param maxBytes a batch is sent before it would grow past this many bytes of message bodies
     * @param linger the longest an event waits for company
     */
    public record Settings(int maxEvents, long maxBytes, Duration linger) {
        public Settings {
            if (maxEvents < 1 || maxEvents > PixelBatch.META_MAX_EVENTS) {
                throw new IllegalArgumentException("maxEvents must be 1.." + PixelBatch.META_MAX_EVENTS
                        + ", was " + maxEvents);
            }
            if (maxBytes < 1 || linger.isNegative()) {
                throw new IllegalArgumentException("maxBytes must be positive and linger not negative");
            }
        }
    }

    private final Settings settings;
    private final BatchSender sender;
    private final Executor sendExecutor;
    private final Clock clock;
    private final Map<BatchKey, Pending> pending = new HashMap<>();
    private boolean draining;

    /** @param sendExecutor runs the sends; its thread count bounds the batches in flight to Meta */
    public PixelBatcher(Settings settings, BatchSender sender, Executor sendExecutor, Clock clock) {
        this.settings = settings;
        this.sender = sender;
        this.sendExecutor = sendExecutor;
        this.clock = clock;
    }

    /** @param bytes the event's share of the request, estimated from its message body */
    public CompletableFuture<GatewayResult> submit(BatchKey key, ServerEvent event, int bytes) {
        CompletableFuture<GatewayResult> result = new CompletableFuture<>();
        List<Pending> ready = new ArrayList<>(2);
        synchronized (this) {
            Pending batch = pending.get(key);
            if (batch != null && batch.bytes + bytes > settings.maxBytes) {
                pending.remove(key);
                if (!batch.handedOver) {
                    ready.add(batch);
                }
                batch = null;
            }
            if (batch == null) {
                batch = new Pending(key, clock.instant());
                pending.put(key, batch);
            }
            batch.add(event, bytes, result);
            if (batch.events.size() >= settings.maxEvents) {
                pending.remove(key);
                if (!batch.handedOver) {
                    ready.add(batch);
                }
            } else if (draining && !batch.handedOver) {
                // Shutting down: sent as soon as a sender is free, without waiting for the linger. Until one is,
                // the batch stays open, so events arriving while every sender is busy share its request rather
                // than queue one request each (which would outlast the listener's shutdown timeout).
                batch.handedOver = true;
                ready.add(batch);
            }
        }
        ready.forEach(this::send);
        return result;
    }

    /** Sends every batch whose oldest event has waited the linger. */
    public void flushExpired() {
        Instant now = clock.instant();
        List<Pending> ready = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Pending> it = pending.values().iterator(); it.hasNext();) {
                Pending batch = it.next();
                if (!batch.handedOver && !batch.openedAt.plus(settings.linger).isAfter(now)) {
                    ready.add(batch);
                    it.remove();
                }
            }
        }
        ready.forEach(this::send);
    }

    /**
     * Shutdown: sends what is pending now, and from here on every event without waiting for the linger; an event
     * still joins a batch of its key that waits for a free sender.
     */
    public void drain() {
        List<Pending> ready;
        synchronized (this) {
            draining = true;
            ready = pending.values().stream().filter(batch -> !batch.handedOver).toList();
            pending.clear();
        }
        ready.forEach(this::send);
    }

    /** Events waiting for company: not yet handed to a sender. */
    public synchronized int pendingEvents() {
        return pending.values().stream().filter(batch -> !batch.handedOver).mapToInt(batch -> batch.events.size())
                .sum();
    }

    private void send(Pending batch) {
        try {
            sendExecutor.execute(() -> complete(batch));
        } catch (RejectedExecutionException e) {
            close(batch);
            batch.fail(e);
        }
    }

    /** A batch handed over while open takes no more events once its send starts (or cannot start). */
    private synchronized void close(Pending batch) {
        pending.remove(batch.key, batch);
    }

    /**
     * Every future ends here, one way or the other: a future left pending would hold its listener's poll (and
     * permits) forever. Like {@code CompletableFuture.supplyAsync}, an {@code Error} fails the futures too, and
     * is then rethrown to the executor.
     */
    private void complete(Pending batch) {
        close(batch);
        try {
            List<GatewayResult> results =
                    sender.send(new PixelBatch(batch.key.pixelId(), batch.key.testEventCode(), batch.events));
            if (results.size() != batch.futures.size()) {
                // Results are matched by position; with a count off, none is known to be its event's own.
                throw new IllegalStateException("sender answered " + results.size() + " results for "
                        + batch.futures.size() + " events");
            }
            for (int i = 0; i < batch.futures.size(); i++) {
                batch.futures.get(i).complete(results.get(i));
            }
        } catch (RuntimeException | Error e) {
            batch.fail(e); // each message's future fails; its listener leaves it on the queue
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    private static final class Pending {
        private final BatchKey key;
        private final Instant openedAt;
        private final List<ServerEvent> events = new ArrayList<>();
        private final List<CompletableFuture<GatewayResult>> futures = new ArrayList<>();
        private long bytes;
        /** Handed to the executor while still open for events (only when draining); guarded by the batcher. */
        private boolean handedOver;

        Pending(BatchKey key, Instant openedAt) {
            this.key = key;
            this.openedAt = openedAt;
        }

        void add(ServerEvent event, int eventBytes, CompletableFuture<GatewayResult> future) {
            events.add(event);
            futures.add(future);
            bytes += eventBytes;
        }

        void fail(Throwable cause) {
            futures.forEach(future -> future.completeExceptionally(cause));
        }
    }
}
