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
 * Four kinds of holding count against one limit:
 * <ul>
 * <li><b>poll permits</b>: each message a poll asks for holds {@link MessageFootprint#PERMIT_BYTES} (its objects and
 * its share of what the HTTP client reads ahead) until the poll has answered. A poll is granted only as many messages
 * as fit with what the outstanding answers are expected to bring, the expectation following the size of recent
 * messages: many receives at once while messages are small, few while they are large;</li>
 * <li><b>answers being read</b>: a receive's answer holds {@link MessageFootprint#answer} of the bytes read so far,
 * from the first byte until the SDK has decoded it ({@link ReceiveMetering}). An answer reads on only while there
 * is room; when the budget is spent it waits, and SQS's bytes wait in the socket;</li>
 * <li><b>received messages</b>: from the listener on, a message holds its {@link MessageFootprint#received} bytes
 * (its body, as the DLQ copy needs it) until SQS has answered its outcome;</li>
 * <li><b>dispatching messages</b>: parsing, normalizing and the message's share of a Meta request cost a multiple
 * of the body ({@link MessageFootprint#dispatching}), held from just before parsing until its outcome is known.</li>
 * </ul>
 * When the limit is reached, polls wait (back-pressure, as for the count limit), answers wait to be read and a
 * received message waits to be parsed until room frees up; nothing is dropped and nothing is refused for being big.
 * Messages waiting to be parsed go first, then answers waiting to be read, then new polls, so what is received moves
 * on before more comes in.
 *
 * <p>Three exceptions keep it from ever stalling: a poll is granted one message when nothing at all is held (so a
 * budget smaller than one message still moves, a message at a time); a message is let into dispatch when no other
 * message is dispatching (so one message larger than the whole budget is processed, alone); and when only answers
 * hold the budget (nothing a settled message could free), the one that waited longest reads on alone, past the limit.
 *
 * <p>Spring Cloud AWS's back-pressure calls know message counts, not messages: it releases one "processed" permit
 * per message, but not which. Permits are therefore counted, not tracked: {@link #received} turns a poll's
 * permits into the bytes its messages really hold and remembers how many processed releases that has already paid
 * for; a processed release beyond those (a message that never reached the listener) returns a poll permit.
 */
final class InFlightBudget {

    /** Per message received: a 1 MiB message's weight falls to a thirtieth after 170 small ones. */
    private static final double EXPECTATION_DECAY = 0.98;
    private static final CompletableFuture<Boolean> ADMITTED = CompletableFuture.completedFuture(true);
    private static final CompletableFuture<Boolean> NOT_ADMITTED = CompletableFuture.completedFuture(false);

    private final long limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    // All below guarded by the lock.
    /** Every byte held, of all four kinds. */
    private long used;
    private long reservedPermits;
    /** What the answers to the permits reserved are expected to hold ({@link #expectedPerMessage} at each grant). */
    private long expectedBytes;
    /**
     * What the answer to one message asked for is expected to hold: the largest recent message's, forgetting it by
     * {@link #EXPECTATION_DECAY} per message received. Zero until the first message.
     */
    private long expectedPerMessage;
    /** Messages {@link #received} whose processed release from Spring Cloud AWS has not come yet. */
    private long paidPermits;
    private long dispatchingBytes;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    /** Bytes held by answers being read. */
    private long answerBytes;
    /** Answers waiting for room to read on, in the order they asked. */
    private final ArrayDeque<Reader> pausedReaders = new ArrayDeque<>();
    /** The answer reading past the limit, because nothing else held could free room; null if none. */
    private Reader readingAlone;
    /** See {@link #stopAdmitting}. */
    private boolean stopping;

    private record Waiter(long bytes, CompletableFuture<Boolean> admitted) {
    }

    /** A receive's answer that waits for room to read on ({@link #mayRead}). */
    interface Reader {

        /** There is room now: read on. Called without the budget's lock held. */
        void readOn();
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
                    expectedBytes += granted * expectedPerMessage;
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

    /**
     * As many messages as fit with what the answers already asked for are expected to bring: answers are counted as
     * they arrive and wait when the budget is spent, but an answer that waits long fails at the SQS call's timeout
     * (its messages then come back after the visibility timeout), so polls are not started for answers that would
     * have to wait. While messages are small a poll gets all it asks for; after large ones, fewer.
     */
    private int permitsThatFit(int permits) {
        if (!waiting.isEmpty() || !pausedReaders.isEmpty()) {
            return 0; // received messages and answers being read first
        }
        long perMessage = MessageFootprint.PERMIT_BYTES + expectedPerMessage;
        if (used == 0 && expectedBytes == 0) {
            return Math.max(1, (int) Math.min(permits, limit / perMessage));
        }
        return (int) Math.min(permits, Math.max(0, (limit - used - expectedBytes) / perMessage));
    }

    /**
     * Under the lock: {@code permits} of those reserved leave (answered or returned); gives back their share of the
     * expected bytes (permits are counted, not tracked: the average share, and the rest with the last one).
     */
    private void permitsLeave(long permits) {
        long share = permits >= reservedPermits ? expectedBytes : expectedBytes * permits / reservedPermits;
        expectedBytes -= share;
        reservedPermits -= permits;
        used -= permits * MessageFootprint.PERMIT_BYTES;
    }

    /** A poll's permits that brought no message, or that another back-pressure handler did not grant. */
    void returnPermits(int permits) {
        Wakeups wakeups;
        lock.lock();
        try {
            permitsLeave(Math.min(permits, reservedPermits));
            wakeups = wakeUp();
        } finally {
            lock.unlock();
        }
        wakeups.deliver();
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
        Wakeups wakeups;
        lock.lock();
        try {
            long converted = Math.min(bodies.size(), reservedPermits);
            permitsLeave(converted);
            paidPermits += converted;
            used += bytes;
            for (String body : bodies) {
                expectedPerMessage = Math.max(MessageFootprint.answer(body.length()),
                        (long) (expectedPerMessage * EXPECTATION_DECAY));
            }
            wakeups = wakeUp();
        } finally {
            lock.unlock();
        }
        wakeups.deliver();
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
     * May {@code reader}'s answer read on? If not, it waits its turn and is told by {@link Reader#readOn} when it may.
     * Reading may overshoot the limit by what one read brings; that is what the read-ahead permit covers.
     */
    boolean mayRead(Reader reader) {
        Reader next;
        lock.lock();
        try {
            if (reader == readingAlone || (pausedReaders.isEmpty() && roomToRead())) {
                return true;
            }
            pausedReaders.add(reader);
            next = readerToResume();
        } finally {
            lock.unlock();
        }
        if (next == reader) {
            return true;
        }
        tellToReadOn(next);
        return false;
    }

    /** {@code bytes} more held by an answer being read. */
    void read(long bytes) {
        Reader next;
        lock.lock();
        try {
            answerBytes += bytes;
            used += bytes;
            next = readerToResume(); // room left: the next waiting answer may read too
        } finally {
            lock.unlock();
        }
        tellToReadOn(next);
    }

    /** The SDK has decoded {@code reader}'s answer, or given up on it: what it held is free again. */
    void readDone(Reader reader, long bytes) {
        Wakeups wakeups;
        lock.lock();
        try {
            answerBytes -= bytes;
            used -= bytes;
            pausedReaders.remove(reader);
            if (readingAlone == reader) {
                readingAlone = null;
            }
            wakeups = wakeUp();
        } finally {
            lock.unlock();
        }
        wakeups.deliver();
    }

    private boolean roomToRead() {
        return waiting.isEmpty() && used < limit;
    }

    /**
     * Under the lock: the answer that may read on now, taken off the waiting ones; null if none. One at a time:
     * each read lets the next one go.
     */
    private Reader readerToResume() {
        if (pausedReaders.isEmpty()) {
            return null;
        }
        if (roomToRead()) {
            return pausedReaders.poll();
        }
        if (readingAlone == null && onlyAnswersHeld()) {
            readingAlone = pausedReaders.poll();
            return readingAlone;
        }
        return null;
    }

    /** Outside the lock: what the reader goes on with must not run while holding it. */
    private static void tellToReadOn(Reader reader) {
        if (reader != null) {
            reader.readOn();
        }
    }

    /** Under the lock: nothing is held that a settled message or a finished dispatch would free. */
    private boolean onlyAnswersHeld() {
        return used - answerBytes - reservedPermits * MessageFootprint.PERMIT_BYTES <= 0; // permits free nothing
    }

    /**
     * Room to parse and send one message: true at once when it fits (or nothing else is dispatching), else once
     * enough is released, in the order asked; then give the bytes back with {@link #releaseDispatching}. False once
     * the worker is stopping ({@link #stopAdmitting}): nothing is held, the message is not to be started.
     */
    CompletableFuture<Boolean> admitToDispatch(long bytes) {
        lock.lock();
        try {
            if (stopping) {
                return NOT_ADMITTED;
            }
            if (waiting.isEmpty() && admits(bytes)) {
                hold(bytes);
                return ADMITTED;
            }
            CompletableFuture<Boolean> admitted = new CompletableFuture<>();
            waiting.add(new Waiter(bytes, admitted));
            return admitted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The worker is stopping: messages waiting for room, and any received from now on, are not admitted, so the stop
     * waits only for what is already being sent.
     */
    void stopAdmitting() {
        List<Waiter> refused;
        Wakeups wakeups;
        lock.lock();
        try {
            stopping = true;
            refused = List.copyOf(waiting);
            waiting.clear();
            wakeups = wakeUp(); // answers and polls no longer wait behind the refused messages
        } finally {
            lock.unlock();
        }
        refused.forEach(waiter -> waiter.admitted().complete(false));
        wakeups.deliver();
    }

    void releaseDispatching(long bytes) {
        release(bytes, bytes);
    }

    /** Gives back what {@link #received} charged. */
    void release(long bytes) {
        release(bytes, 0);
    }

    private void release(long bytes, long dispatching) {
        Wakeups wakeups;
        lock.lock();
        try {
            dispatchingBytes -= dispatching;
            used -= bytes;
            wakeups = wakeUp();
        } finally {
            lock.unlock();
        }
        wakeups.deliver();
    }

    private boolean admits(long bytes) {
        return dispatchingBytes == 0 || used + bytes <= limit;
    }

    private void hold(long bytes) {
        dispatchingBytes += bytes;
        used += bytes;
    }

    /**
     * Under the lock, after room freed: admits the waiting messages that now fit, in order, picks the answer that may
     * read on, and wakes waiting polls.
     */
    private Wakeups wakeUp() {
        List<CompletableFuture<Boolean>> admitted = List.of();
        while (!waiting.isEmpty() && admits(waiting.peek().bytes())) {
            Waiter next = waiting.poll();
            hold(next.bytes());
            if (admitted.isEmpty()) {
                admitted = new ArrayList<>(2);
            }
            admitted.add(next.admitted());
        }
        freed.signalAll();
        return new Wakeups(admitted, readerToResume());
    }

    /**
     * Whom a release lets go on; told outside the lock, as what they go on with must not run while holding it.
     *
     * @param reader the answer that may read on, or null
     */
    private record Wakeups(List<CompletableFuture<Boolean>> admitted, Reader reader) {

        void deliver() {
            admitted.forEach(future -> future.complete(true));
            tellToReadOn(reader);
        }
    }
}
