package ai.track.capidispatch.sqs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The heap the worker lets messages hold at once, in bytes: what bounds memory, where {@code
 * max-concurrent-messages} only bounds a count (2,000 messages of 220 KB are far more than a 512 MB task's heap).
 * Three kinds of holding count against one limit:
 * <ul>
 * <li><b>poll permits</b>: a receive may bring messages of any size up to SQS's limit, so each message a poll
 * asks for holds {@link MessageFootprint#PERMIT_BYTES} until the poll has answered;</li>
 * <li><b>received messages</b>: from the listener on, a message holds its {@link MessageFootprint#received} bytes
 * (its body, as the DLQ copy needs it) until SQS has answered its outcome;</li>
 * <li><b>dispatching messages</b>: parsing, normalizing and the message's share of a Meta request cost a multiple
 * of the body ({@link MessageFootprint#dispatching}), held from just before parsing until its outcome is known.</li>
 * </ul>
 * When the limit is reached, polls wait (back-pressure, as for the count limit), and a received message waits to be
 * parsed until room frees up; nothing is dropped and nothing is refused for being big. Messages waiting to be parsed
 * go before new polls, so what is received moves on before more comes in.
 *
 * <p>Two exceptions keep it from ever stalling: a poll is granted one message when nothing at all is held (so a
 * budget smaller than one message still moves, a message at a time), and a message is let into dispatch when no
 * other message is dispatching (so one message larger than the whole budget is processed, alone).
 *
 * <p>Spring Cloud AWS's back-pressure calls know message counts, not messages: it releases one "processed" permit
 * per message, but not which. Permits are therefore counted, not tracked: {@link #received} turns a poll's
 * permits into the bytes its messages really hold and remembers how many processed releases that has already paid
 * for; a processed release beyond those (a message that never reached the listener) returns a poll permit.
 */
final class InFlightBudget {

    private final long limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    /** Guarded by {@link #lock}: every byte held, of all three kinds. */
    private long used;
    private long reservedPermits;
    /** Messages {@link #received} whose processed release from Spring Cloud AWS has not come yet. */
    private long paidPermits;
    private long dispatchingBytes;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    private record Waiter(long bytes, CompletableFuture<Void> admitted) {
    }

    InFlightBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("the in-flight byte limit must be positive, was " + limitBytes);
        }
        this.limit = limitBytes;
    }

    long limit() {
        return limit;
    }

    /** Bytes held now, of all kinds; for the gauge and tests. */
    long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** Messages received and waiting for room to be parsed. */
    int waitingMessages() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Grants a poll up to {@code permits} messages, as many as fit, waiting up to {@code maxWait} for room.
     *
     * @return the messages the poll may ask for, 0 if none fit in time
     */
    int reservePermits(int permits, Duration maxWait) throws InterruptedException {
        long giveUpAt = System.nanoTime() + maxWait.toNanos();
        lock.lock();
        try {
            while (true) {
                int granted = permitsThatFit(permits);
                if (granted > 0) {
                    reservedPermits += granted;
                    used += granted * MessageFootprint.PERMIT_BYTES;
                    return granted;
                }
                long left = giveUpAt - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                freed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private int permitsThatFit(int permits) {
        if (!waiting.isEmpty()) {
            return 0; // received messages first
        }
        if (used == 0) {
            return Math.max(1, (int) Math.min(permits, limit / MessageFootprint.PERMIT_BYTES));
        }
        return (int) Math.min(permits, Math.max(0, (limit - used) / MessageFootprint.PERMIT_BYTES));
    }

    /** A poll's permits that brought no message, or that another back-pressure handler did not grant. */
    void returnPermits(int permits) {
        List<CompletableFuture<Void>> admitted;
        lock.lock();
        try {
            long returned = Math.min(permits, reservedPermits);
            reservedPermits -= returned;
            used -= returned * MessageFootprint.PERMIT_BYTES;
            admitted = admitWaiting();
        } finally {
            lock.unlock();
        }
        complete(admitted);
    }

    /**
     * The listener has a poll's messages: their permits become the bytes they hold until settled. Messages received
     * without a permit (after a restart of the container, say) are charged all the same.
     *
     * @return the bytes now held for these messages; give them back with {@link #release} once they are settled
     */
    long received(List<String> bodies) {
        long bytes = 0;
        for (String body : bodies) {
            bytes += MessageFootprint.received(body);
        }
        List<CompletableFuture<Void>> admitted;
        lock.lock();
        try {
            long converted = Math.min(bodies.size(), reservedPermits);
            reservedPermits -= converted;
            paidPermits += converted;
            used += bytes - converted * MessageFootprint.PERMIT_BYTES;
            admitted = admitWaiting();
        } finally {
            lock.unlock();
        }
        complete(admitted);
        return bytes;
    }

    /** Spring Cloud AWS's release of {@code messages} processed messages (see the class comment). */
    void processed(int messages) {
        long unpaid;
        lock.lock();
        try {
            long paid = Math.min(messages, paidPermits);
            paidPermits -= paid;
            unpaid = messages - paid;
        } finally {
            lock.unlock();
        }
        if (unpaid > 0) {
            returnPermits((int) unpaid);
        }
    }

    /**
     * Room to parse and send one message: completes at once when it fits (or nothing else is dispatching), else
     * once enough is released, in the order asked. Give the bytes back with {@link #releaseDispatching}.
     */
    CompletableFuture<Void> admitToDispatch(long bytes) {
        lock.lock();
        try {
            if (waiting.isEmpty() && admits(bytes)) {
                hold(bytes);
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> admitted = new CompletableFuture<>();
            waiting.add(new Waiter(bytes, admitted));
            return admitted;
        } finally {
            lock.unlock();
        }
    }

    void releaseDispatching(long bytes) {
        release(bytes, bytes);
    }

    /** Gives back what {@link #received} charged. */
    void release(long bytes) {
        release(bytes, 0);
    }

    private void release(long bytes, long dispatching) {
        List<CompletableFuture<Void>> admitted;
        lock.lock();
        try {
            dispatchingBytes -= dispatching;
            used -= bytes;
            admitted = admitWaiting();
        } finally {
            lock.unlock();
        }
        complete(admitted);
    }

    private boolean admits(long bytes) {
        return dispatchingBytes == 0 || used + bytes <= limit;
    }

    private void hold(long bytes) {
        dispatchingBytes += bytes;
        used += bytes;
    }

    /** Under the lock: admits the waiting messages that now fit, in order, and wakes waiting polls. */
    private List<CompletableFuture<Void>> admitWaiting() {
        List<CompletableFuture<Void>> admitted = List.of();
        while (!waiting.isEmpty() && admits(waiting.peek().bytes())) {
            Waiter next = waiting.poll();
            hold(next.bytes());
            if (admitted.isEmpty()) {
                admitted = new ArrayList<>(2);
            }
            admitted.add(next.admitted());
        }
        freed.signalAll();
        return admitted;
    }

    /** Outside the lock: whatever continues an admitted message must not run while holding it. */
    private static void complete(List<CompletableFuture<Void>> admitted) {
        admitted.forEach(future -> future.complete(null));
    }
}
