package ai.track.capidispatch.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one harness run: what was sent, where each event ended up, what the workers and the stand-in
 * went through. {@link #problems()} lists every broken promise; an empty list is a pass.
 *
 * @param events events sent
 * @param poison of which poison (Meta-rejected and locally invalid)
 * @param goodAccepted good events accepted at Meta at least once
 * @param lost good events neither accepted at Meta nor in the DLQ
 * @param goodInDlq good events with a copy in the DLQ
 * @param poisonMissing poison events without a copy in the DLQ
 * @param poisonWrongClass poison events with a DLQ copy of another {@code capi-error-class} than theirs
 * @param localPoisonAtMeta locally invalid events that reached the stand-in anyway
 * @param eventIdProblems events sent with no, several or the wrong {@code event_id}
 * @param queueLeft messages on the main queue at the end, visible or in flight
 * @param dlqByClass DLQ copies by {@code capi-error-class} ({@code UNCLASSIFIED}: moved by the redrive backstop)
 * @param dlqDuplicates DLQ copies beyond the first of an event
 * @param duplicates good events accepted more than once (allowed: Meta deduplicates on {@code event_id})
 * @param answers events requests by the stand-in's answer
 * @param unreadableRequests events requests whose events the stand-in could not number
 * @param workersStarted worker processes started
 * @param sigterms workers stopped with SIGTERM
 * @param sigkills workers stopped with SIGKILL
 * @param twoAtOnce times a second worker ran next to another
 * @param slowestStop longest SIGTERM-to-exit
 * @param slowStops stops over the 25 s limit
 * @param crashes workers that exited by themselves or never became healthy
 * @param logErrors the workers' ERROR log lines by message; none is expected, none fails the run by itself
 * @param phases Meta phases gone through, e.g. {@code HEALTHY=9}
 * @param chaos how long faults and restarts went on
 * @param settle from the end of the chaos until the queue was empty
 * @param seed what the random choices of the run came from
 */
public record Report(int events, int poison, int goodAccepted, List<Integer> lost, List<Integer> goodInDlq,
        List<Integer> poisonMissing, List<String> poisonWrongClass, List<Integer> localPoisonAtMeta,
        List<String> eventIdProblems, int queueLeft, Map<String, Integer> dlqByClass, int dlqDuplicates,
        int duplicates, Map<String, Integer> answers, int unreadableRequests, int workersStarted, int sigterms,
        int sigkills, int twoAtOnce, Duration slowestStop, List<String> slowStops, List<String> crashes,
        Map<String, Integer> logErrors, Map<String, Integer> phases, Duration chaos, Duration settle, long seed) {

    public int good() {
        return events - poison;
    }

    public int requests() {
        return answers.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Requests answered with a fault (anything but accepted or rejected for poison). */
    public int faults() {
        return answers.entrySet().stream()
                .filter(entry -> FlakyMeta.Answer.valueOf(entry.getKey()).fault())
                .mapToInt(Map.Entry::getValue).sum();
    }

    public int dlqMessages() {
        return dlqByClass.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Every broken promise of the run, each with the first few events it concerns. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        add(problems, lost, "good events lost (never accepted at Meta, not in the DLQ)");
        add(problems, goodInDlq, "good events in the DLQ");
        add(problems, poisonMissing, "poison events missing from the DLQ");
        add(problems, poisonWrongClass, "poison events in the DLQ with the wrong capi-error-class");
        add(problems, localPoisonAtMeta, "locally invalid events sent to Meta");
        add(problems, eventIdProblems, "events not sent with exactly their one event_id");
        add(problems, slowStops, "SIGTERM stops over " + WorkerPool.STOP_LIMIT.toSeconds() + " s");
        add(problems, crashes, "workers that crashed or never became healthy");
        if (queueLeft > 0) {
            problems.add(queueLeft + " messages left on the main queue");
        }
        if (unreadableRequests > 0) {
            problems.add(unreadableRequests + " events requests with events the stand-in could not number");
        }
        return problems;
    }

    public boolean passed() {
        return problems().isEmpty();
    }

    /** One line with the run's figures, for logs and docs. */
    public String summaryLine() {
        return String.format(Locale.ROOT, "FAULTS %s events=%d good=%d poison=%d accepted=%d/%d lost=%d"
                + " good_in_dlq=%d poison_in_dlq=%d/%d wrong_class=%d dlq=%s dlq_duplicates=%d queue_left=%d"
                + " event_id_problems=%d workers=%d sigterm=%d sigkill=%d two_at_once=%d slowest_stop=%s"
                + " stops_over_25s=%d crashes=%d log_errors=%d requests=%d faults=%d %s duplicates=%d phases=%s chaos=%ds"
                + " settle=%ds seed=%d",
                passed() ? "PASS" : "FAIL", events, good(), poison, goodAccepted, good(), lost.size(),
                goodInDlq.size(), poison - poisonMissing.size(), poison, poisonWrongClass.size(), compact(dlqByClass),
                dlqDuplicates, queueLeft, eventIdProblems.size(), workersStarted, sigterms, sigkills, twoAtOnce,
                WorkerPool.seconds(slowestStop).replace(" ", ""), slowStops.size(), crashes.size(),
                logErrors.values().stream().mapToInt(Integer::intValue).sum(), requests(),
                faults(), compact(answers), duplicates, compact(phases), chaos.toSeconds(), settle.toSeconds(), seed);
    }

    private static String compact(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(entry -> entry.getKey() + ":" + entry.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static void add(List<String> problems, List<?> items, String what) {
        if (!items.isEmpty()) {
            problems.add(items.size() + " " + what + ": "
                    + items.stream().limit(5).map(String::valueOf).collect(Collectors.joining("; "))
                    + (items.size() > 5 ? "; …" : ""));
        }
    }
}
