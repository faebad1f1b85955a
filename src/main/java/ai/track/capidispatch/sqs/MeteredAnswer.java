package ai.track.capidispatch.sqs;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A receive's answer body as the SDK reads it, a piece at a time, each piece charged to the {@link InFlightBudget}
 * and the next one asked for only when the budget lets it ({@link InFlightBudget#mayRead}). Whatever the SDK asks
 * for (it asks for everything at once), the HTTP client is asked for one piece at a time, so the bytes not yet
 * allowed stay in the HTTP client's read-ahead window and the socket. One subscriber, as an HTTP body has.
 */
final class MeteredAnswer implements Publisher<ByteBuffer> {

    private final Publisher<ByteBuffer> body;
    private final InFlightBudget budget;
    private final AtomicBoolean released = new AtomicBoolean();
    private final Reading reading = new Reading();
    /** Guarded by {@link #reading}: what this answer holds in the budget. */
    private long held;

    MeteredAnswer(Publisher<ByteBuffer> body, InFlightBudget budget) {
        this.body = body;
        this.budget = budget;
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> downstream) {
        reading.downstream = downstream;
        body.subscribe(reading);
    }

    /** The SDK is done with the answer (decoded, failed or abandoned): what it held is free. Idempotent. */
    void release() {
        if (released.compareAndSet(false, true)) {
            long bytes;
            synchronized (reading) {
                bytes = held;
                held = 0;
            }
            budget.readDone(reading, bytes);
        }
    }

    /** Between the HTTP client (upstream) and the SDK (downstream). */
    private final class Reading implements Subscriber<ByteBuffer>, Subscription, InFlightBudget.Reader {

        private volatile Subscriber<? super ByteBuffer> downstream;
        private volatile Subscription upstream;
        /** Guarded by {@code this}: pieces the SDK asked for and has not got. */
        private long demand;
        /** Guarded by {@code this}: a piece asked of the HTTP client that has not arrived, or the budget's wait. */
        private boolean asking;

        @Override
        public void onSubscribe(Subscription subscription) {
            upstream = subscription;
            downstream.onSubscribe(this);
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                downstream.onError(new IllegalArgumentException("Reactive Streams §3.9: requested " + n));
                return;
            }
            synchronized (this) {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            askForNext();
        }

        @Override
        public void cancel() {
            upstream.cancel();
            release();
        }

        @Override
        public void onNext(ByteBuffer piece) {
            long bytes = MessageFootprint.answer(piece.remaining());
            boolean charged;
            synchronized (this) {
                asking = false;
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
                charged = !released.get();
                if (charged) {
                    held += bytes; // a release from now on gives these back, even before the budget has them
                }
            }
            if (charged) {
                budget.read(bytes);
            }
            downstream.onNext(piece);
            askForNext();
        }

        @Override
        public void onError(Throwable failure) {
            release();
            downstream.onError(failure);
        }

        @Override
        public void onComplete() {
            downstream.onComplete(); // held until the SDK has decoded it: see ReceiveMetering
        }

        /** The budget made room after this answer waited. */
        @Override
        public void readOn() {
            upstream.request(1);
        }

        private void askForNext() {
            synchronized (this) {
                if (asking || demand == 0 || released.get()) {
                    return;
                }
                asking = true; // until the piece arrives, or the budget calls readOn
            }
            if (budget.mayRead(this)) {
                upstream.request(1);
            }
        }
    }
}
