package ai.track.capidispatch.ops;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Where a long run stands, on stderr (stdout stays the report alone):
 * {@code ... 4,200/10,000 examined  350/s  ETA 0:17  moved 4,100, expired 50, filtered 50, failed 0}.
 *
 * <p>On a terminal it is one line that overwrites itself ({@code \r}) a few times a second, cut to the terminal's
 * width so it never wraps, and erased at the end or before the command prints a line of its report
 * ({@link #clear()}). Elsewhere (a file, a CI log) it is a line each time another {@code everyMessages} are done,
 * and otherwise every {@link #INTERVAL}. The rate is the average since the first update, so start-up (JVM, SDK,
 * first call) counts neither towards the rate nor towards a line; the ETA divides what is left by that rate and
 * is {@code unknown} without a total, or once the count has passed a total that was only SQS's approximation.
 */
final class Progress {

    static final Duration INTERVAL = Duration.ofSeconds(5);
    static final Duration REDRAW = Duration.ofMillis(250);
    /** Width of a terminal line when {@code COLUMNS} does not say: the classic 80, less the cursor's column. */
    static final int DEFAULT_WIDTH = 79;

    private final PrintStream err;
    private final String counted;
    private final long everyMessages;
    private final boolean terminal;
    private final int width;
    private final LongSupplier nanoTime;
    private long total = -1;
    private boolean started;
    private long startedAt;
    private long startedCount;
    private long lastPrintedAt;
    private long lastPrintedCount;
    /** Characters of the status line now on the terminal; 0 when none is showing. */
    private int showing;

    /**
     * @param counted what the count counts, as it reads after the number ({@code examined}, {@code lines})
     * @param terminal whether {@code err} is a terminal, where the line overwrites itself
     * @param width the terminal's width in characters, for the overwriting line
     */
    Progress(PrintStream err, String counted, long everyMessages, boolean terminal, int width,
            LongSupplier nanoTime) {
        this.err = err;
        this.counted = counted;
        this.everyMessages = everyMessages;
        this.terminal = terminal;
        this.width = width;
        this.nanoTime = nanoTime;
    }

    /** For a command: stderr, a terminal or not, and its width as the environment's {@code COLUMNS} gives it. */
    static Progress of(OpsContext context, String counted, long everyMessages) {
        return new Progress(context.err(), counted, everyMessages, context.errIsTerminal(),
                terminalWidth(context.env().get("COLUMNS")), System::nanoTime);
    }

    static int terminalWidth(String columns) {
        try {
            int value = columns == null ? 0 : Integer.parseInt(columns.strip());
            return value > 20 ? value - 1 : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }

    /** How many the run will count when done, if known; empty leaves the total unknown. */
    Progress total(OptionalLong expected) {
        this.total = expected.isPresent() ? expected.getAsLong() : -1;
        return this;
    }

    /**
     * @param done counted so far
     * @param details the run's own counters, appended to the line; only built when a line is due
     */
    void update(long done, Supplier<String> details) {
        long now = nanoTime.getAsLong();
        if (!started) {
            started = true;
            startedAt = now;
            startedCount = done;
            lastPrintedAt = now;
            lastPrintedCount = done;
            if (terminal) {
                draw(done, now, details.get());
            }
            return;
        }
        if (terminal) {
            if (showing == 0 || now - lastPrintedAt >= REDRAW.toNanos()) {
                draw(done, now, details.get());
            }
            return;
        }
        boolean countDue = done / everyMessages > lastPrintedCount / everyMessages;
        if (countDue || now - lastPrintedAt >= INTERVAL.toNanos()) {
            err.println(line(done, now, details.get()));
            lastPrintedAt = now;
            lastPrintedCount = done;
        }
    }

    /** Erases the terminal's status line, so a line the command prints next starts at the left margin. */
    void clear() {
        if (showing > 0) {
            err.print("\r" + " ".repeat(showing) + "\r");
            err.flush();
            showing = 0;
        }
    }

    /** The run is over: the report takes it from here. */
    void finish() {
        clear();
    }

    private void draw(long done, long now, String details) {
        String line = line(done, now, details);
        if (line.length() > width) {
            // ASCII: a terminal in the C locale would show a '?' for an ellipsis character.
            line = line.substring(0, width - 3) + "...";
        }
        err.print("\r" + line + " ".repeat(Math.max(0, showing - line.length())));
        err.flush();
        showing = line.length();
        lastPrintedAt = now;
        lastPrintedCount = done;
    }

    private String line(long done, long now, String details) {
        StringBuilder line = new StringBuilder("... ").append(count(done));
        if (total >= 0) {
            line.append('/').append(count(total));
        }
        line.append(' ').append(counted);
        double seconds = (now - startedAt) / 1e9;
        double rate = seconds >= 0.1 ? (done - startedCount) / seconds : Double.NaN;
        if (!Double.isNaN(rate)) {
            line.append("  ").append(rate(rate)).append("/s");
        }
        line.append("  ETA ").append(eta(done, rate));
        if (!details.isEmpty()) {
            line.append("  ").append(details);
        }
        return line.toString();
    }

    private String eta(long done, double rate) {
        if (total < 0 || done > total || Double.isNaN(rate) || rate <= 0) {
            return "unknown";
        }
        long seconds = (long) Math.ceil((total - done) / rate);
        long hours = seconds / 3_600;
        return hours > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, seconds % 3_600 / 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    /** {@code 4,200}: thousands apart, whatever the machine's locale. */
    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String rate(double perSecond) {
        return perSecond >= 10 ? count(Math.round(perSecond)) : String.format(Locale.ROOT, "%.1f", perSecond);
    }
}
