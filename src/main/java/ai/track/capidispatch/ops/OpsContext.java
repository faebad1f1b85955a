package ai.track.capidispatch.ops;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * What a command needs from its surroundings, passed in so tests can supply their own.
 *
 * @param env the process environment ({@code SQS_QUEUE_URL}, {@code AWS_REGION}, ...)
 * @param out results: tables, reports, JSON
 * @param err progress lines and errors, so {@code out} stays machine-readable
 * @param clock "now" for message ages and Meta's 7-day window
 */
record OpsContext(Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {

    static OpsContext system() {
        return new OpsContext(System.getenv(), System.out, System.err, Clock.systemUTC());
    }
}
