package ai.track.capidispatch.ops;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A status line on stderr for long runs: each time another {@code everyMessages} messages are done, and
 * otherwise every {@code interval}. stdout stays the report alone.
 */
final class Progress {

    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final PrintStream err;
    private final long everyMessages;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    /** Time counts from the first update, so start-up (JVM, SDK, first call) does not trigger a line. */
    private boolean started;
    private long lastPrintedAt;
    private long lastPrintedCount;

    Progress(PrintStream err, long everyMessages, Duration interval, LongSupplier nanoTime) {
        this.err = err;
        this.everyMessages = everyMessages;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    static Progress every(PrintStream err, long messages) {
        return new Progress(err, messages, INTERVAL, System::nanoTime);
    }

    /** @param processed messages handled so far; {@code status} is only built when a line is due */
    void update(long processed, Supplier<String> status) {
        long now = nanoTime.getAsLong();
        if (!started) {
            started = true;
            lastPrintedAt = now;
        }
        boolean countDue = processed / everyMessages > lastPrintedCount / everyMessages;
        if (countDue || now - lastPrintedAt >= intervalNanos) {
            err.println("... " + status.get());
            lastPrintedAt = now;
            lastPrintedCount = processed;
        }
    }
}
