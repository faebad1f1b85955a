package ai.track.capidispatch.ops;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.Map;

/**
 * What a command needs from its surroundings, passed in so tests can supply their own.
 *
 * @param env the process environment ({@code SQS_QUEUE_URL}, {@code AWS_REGION}, ...)
 * @param out results: tables, reports, JSON
 * @param err progress lines and errors, so {@code out} stays machine-readable
 * @param clock "now" for message ages and Meta's 7-day window
 * @param errIsTerminal whether a person watches {@code err}: progress then overwrites one line instead of adding
 *     lines
 */
record OpsContext(Map<String, String> env, PrintStream out, PrintStream err, Clock clock, boolean errIsTerminal) {

    static OpsContext system() {
        return new OpsContext(System.getenv(), System.out, System.err, Clock.systemUTC(), interactive());
    }

    /**
     * Whether the command runs in a terminal, judged as Spring Boot's {@code AnsiOutput} judges it: Java has a
     * console only when stdin and stdout are a terminal (up to Java 21), and from Java 22 on says so through
     * {@code Console.isTerminal()}. Java cannot tell about stderr alone; with stdout redirected
     * ({@code dlq inspect --json > dlq.json}) the progress comes as plain lines, which a terminal shows as well.
     */
    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return Boolean.TRUE.equals(isTerminal.invoke(console));
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
