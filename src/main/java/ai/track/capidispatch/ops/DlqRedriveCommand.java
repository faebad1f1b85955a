package ai.track.capidispatch.ops;

import ai.track.capidispatch.dispatch.ErrorClass;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code dlq redrive}: moves messages from the DLQ back to the main queue, one at a time: the original body
 * goes to the main queue first, and only once SQS confirmed that send is the message deleted from the DLQ.
 * A failed send leaves the message in the DLQ; a failed delete leaves it in both queues (a duplicate, which
 * the worker's deterministic {@code event_id} lets Meta absorb), never in neither.
 *
 * <p>Left in the DLQ: messages outside the {@code --error-class} filter, and events older than Meta's 7-day
 * window (Meta would reject them, and the whole request with them). SQS's own {@code StartMessageMoveTask}
 * cannot make either distinction, which is why this command exists.
 */
@Command(name = "redrive", sortOptions = false,
        description = {"Move messages from the DLQ back to the main queue: send first, delete from the DLQ only "
                + "after SQS confirmed the send.",
                "Events older than Meta's 7-day window stay in the DLQ and are listed."})
final class DlqRedriveCommand implements Callable<Integer> {

    static final int PROGRESS_EVERY = 100;
    /** Sends failing in a row that mean the main queue is unusable (missing, access denied): stop asking. */
    static final int MAX_FAILURES_IN_A_ROW = 10;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--queue-url", paramLabel = "URL", description = "main queue (default: $SQS_QUEUE_URL)")
    String queueUrl;

    @Option(names = "--dlq-url", paramLabel = "URL", description = "dead-letter queue (default: $SQS_DLQ_URL)")
    String dlqUrl;

    @Option(names = "--error-class", paramLabel = "CLASS", split = ",",
            description = "only messages of this capi-error-class (repeatable; UNCLASSIFIED = no capi-error-class"
                    + " attribute). Default: every class")
    List<String> errorClasses = new ArrayList<>();

    @Option(names = "--rate", paramLabel = "N", defaultValue = "50",
            description = "at most N messages a second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--max", paramLabel = "N", description = "move at most N messages (default: no limit)")
    Integer max;

    @Option(names = "--dry-run", description = "report what would move; send and delete nothing")
    boolean dryRun;

    @Option(names = "--visibility-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "how long examined messages stay hidden if the run is interrupted (default: "
                    + "${DEFAULT-VALUE})")
    int visibilityTimeout;

    private final OpsContext context;

    DlqRedriveCommand(OpsContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        String dlq = ConnectionOptions.required(spec, dlqUrl, "--dlq-url", context.env(), "SQS_DLQ_URL");
        String queue = ConnectionOptions.required(spec, queueUrl, "--queue-url", context.env(), "SQS_QUEUE_URL");
        Set<String> filter = errorClassFilter();
        if (!(rate > 0)) {
            throw new ParameterException(spec.commandLine(), "--rate must be above 0, but was " + rate);
        }
        if (max != null && max < 1) {
            throw new ParameterException(spec.commandLine(), "--max must be at least 1, but was " + max);
        }
        if (visibilityTimeout < 1 || visibilityTimeout > 43_200) {
            throw new ParameterException(spec.commandLine(), "--visibility-timeout must be 1 to 43200 seconds");
        }
        if (dlq.equals(queue)) {
            throw new ParameterException(spec.commandLine(), "The DLQ and the main queue are the same queue: " + dlq);
        }
        PrintStream out = context.out();
        out.println((dryRun ? "Dry run, nothing is sent or deleted: " : "") + "redrive " + dlq + " -> " + queue
                + (filter.isEmpty() ? "" : " (only " + String.join(", ", filter) + ")"));
        Tally tally = new Tally();
        try (QueueClient sqs = connection.connect(context.env())) {
            OptionalLong visible = sqs.approximateVisible(dlq);
            // The run ends when the DLQ is through or --max have moved, whichever comes first: count towards that.
            boolean towardsMax = max != null && (visible.isEmpty() || max < visible.getAsLong());
            Progress progress = Progress.of(context, towardsMax ? (dryRun ? "would move" : "moved") : "examined",
                    PROGRESS_EVERY).total(towardsMax ? OptionalLong.of(max) : visible);
            DlqScan scan = new DlqScan(sqs, dlq, Integer.MAX_VALUE, Duration.ofSeconds(visibilityTimeout));
            Pass pass = new Pass(sqs, scan, dlq, queue, filter, tally, progress);
            try (scan) {
                List<DlqMessage> batch;
                examine:
                while (!(batch = scan.next()).isEmpty()) {
                    for (DlqMessage message : batch) {
                        if (max != null && tally.moved >= max) {
                            tally.stoppedAtMax = true;
                            break examine;
                        }
                        pass.handle(message);
                        progress.update(towardsMax ? tally.moved : scan.scanned(),
                                () -> tally.progress(towardsMax, scan.scanned(), dryRun));
                        if (tally.failuresInARow >= MAX_FAILURES_IN_A_ROW) {
                            progress.clear();
                            out.println("Stopped: " + MAX_FAILURES_IN_A_ROW + " sends in a row failed.");
                            break examine;
                        }
                    }
                }
            } finally {
                progress.finish();
            }
            tally.unreleased = scan.unreleased();
        }
        tally.print(out, dryRun, visibilityTimeout);
        return tally.failed == 0 && tally.notDeleted == 0 ? OperatorCommands.OK : OperatorCommands.INCOMPLETE;
    }

    /** One run over the DLQ: decides and acts on each message in turn. */
    private final class Pass {
        private final QueueClient sqs;
        private final DlqScan scan;
        private final String dlq;
        private final String queue;
        private final Set<String> filter;
        private final Tally tally;
        private final Progress progress;
        private final EventWindow window = new EventWindow();
        private final RateLimiter limiter = RateLimiter.perSecond(rate);

        Pass(QueueClient sqs, DlqScan scan, String dlq, String queue, Set<String> filter, Tally tally,
                Progress progress) {
            this.sqs = sqs;
            this.scan = scan;
            this.dlq = dlq;
            this.queue = queue;
            this.filter = filter;
            this.tally = tally;
            this.progress = progress;
        }

        void handle(DlqMessage message) throws InterruptedException {
            PrintStream out = context.out();
            if (!filter.isEmpty() && !filter.contains(message.errorClass())) {
                tally.filtered++;
                return;
            }
            Instant now = context.clock().instant();
            Optional<Instant> eventTime = window.eventTime(message.body());
            if (eventTime.isPresent() && EventWindow.isExpired(eventTime.get(), now)) {
                tally.expired++;
                progress.clear();
                out.println("expired, left in the DLQ: " + message.messageId() + " (event_time " + eventTime.get()
                        + ", " + AgeFormat.of(Duration.between(eventTime.get(), now)) + " old)");
                return;
            }
            if (dryRun) {
                tally.moved++;
                return;
            }
            limiter.acquire(1);
            try {
                // Unchanged body; the worker's capi-* attributes described the last failure and do not travel on.
                sqs.send(queue, message.body(), message.producerAttributes());
            } catch (SdkException e) {
                tally.failed++;
                tally.failuresInARow++;
                progress.clear();
                out.println("failed, left in the DLQ: " + message.messageId() + ": " + QueueClient.errorCode(e));
                return;
            }
            tally.failuresInARow = 0;
            tally.moved++;
            try {
                sqs.delete(dlq, message.receiptHandle());
                scan.consumed(message);
            } catch (SdkException e) {
                tally.notDeleted++;
                progress.clear();
                out.println("sent, but still in the DLQ too: " + message.messageId() + ": "
                        + QueueClient.errorCode(e) + " (delete it from the DLQ before the next redrive, or it is sent"
                        + " twice)");
            }
        }
    }

    private Set<String> errorClassFilter() {
        Set<String> known = new LinkedHashSet<>();
        for (ErrorClass errorClass : ErrorClass.values()) {
            known.add(errorClass.name());
        }
        known.add(DlqMessage.UNCLASSIFIED);
        Set<String> filter = new LinkedHashSet<>();
        for (String value : errorClasses) {
            String name = value.strip().toUpperCase(Locale.ROOT);
            if (!known.contains(name)) {
                throw new ParameterException(spec.commandLine(), "Unknown --error-class " + value + "; one of "
                        + String.join(", ", known));
            }
            filter.add(name);
        }
        return filter;
    }

    private static final class Tally {
        int moved;
        int expired;
        int filtered;
        int failed;
        int notDeleted;
        int failuresInARow;
        int unreleased;
        boolean stoppedAtMax;

        /** The counters the progress line does not already show, most telling first. */
        String progress(boolean countingMoved, int examined, boolean dryRun) {
            return (countingMoved ? "examined " + Progress.count(examined)
                    : (dryRun ? "would move " : "moved ") + Progress.count(moved))
                    + ", expired " + Progress.count(expired) + ", filtered " + Progress.count(filtered) + ", failed "
                    + Progress.count(failed);
        }

        void print(PrintStream out, boolean dryRun, int visibilityTimeout) {
            out.println();
            out.printf("  %-17s %8d%s%n", dryRun ? "would move" : "moved", moved,
                    stoppedAtMax ? "   (stopped at --max)" : "");
            out.printf("  %-17s %8d%n", "skipped-expired", expired);
            out.printf("  %-17s %8d%n", "skipped-filtered", filtered);
            out.printf("  %-17s %8d%s%n", "failed", failed, failed == 0 ? "" : "   (left in the DLQ)");
            if (notDeleted > 0) {
                out.printf("  %-17s %8d   (sent, but also still in the DLQ)%n", "not deleted", notDeleted);
            }
            if (unreleased > 0) {
                out.println(unreleased + " messages left in the DLQ could not be made visible at once; they reappear "
                        + "within " + visibilityTimeout + " s.");
            }
        }
    }
}
