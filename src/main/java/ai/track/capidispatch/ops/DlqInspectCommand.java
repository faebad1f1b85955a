package ai.track.capidispatch.ops;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code dlq inspect}: what is in the DLQ and why, grouped by {@code capi-error-class}, without consuming
 * anything (see {@link DlqScan}). Prints counts, ages, Meta's error codes and a few of the worker's reasons;
 * never a body, which is customer data.
 */
@Command(name = "inspect", sortOptions = false,
        description = {"Summarise the DLQ by capi-error-class without consuming it.",
                "Messages are hidden while the scan runs (at most --visibility-timeout) and made visible again "
                        + "at the end."})
final class DlqInspectCommand implements Callable<Integer> {

    static final int SAMPLE_REASONS = 3;
    static final int MAX_REASON_LENGTH = 200;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--dlq-url", paramLabel = "URL", description = "dead-letter queue (default: $SQS_DLQ_URL)")
    String dlqUrl;

    @Option(names = "--max", paramLabel = "N", defaultValue = "10000",
            description = "scan at most N messages (default: ${DEFAULT-VALUE})")
    int max;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Option(names = "--visibility-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "how long scanned messages stay hidden if the scan is interrupted (default: "
                    + "${DEFAULT-VALUE})")
    int visibilityTimeout;

    private final OpsContext context;

    DlqInspectCommand(OpsContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        String url = ConnectionOptions.required(spec, dlqUrl, "--dlq-url", context.env(), "SQS_DLQ_URL");
        if (max < 1) {
            throw new ParameterException(spec.commandLine(), "--max must be at least 1, but was " + max);
        }
        if (visibilityTimeout < 1 || visibilityTimeout > 43_200) {
            throw new ParameterException(spec.commandLine(), "--visibility-timeout must be 1 to 43200 seconds");
        }
        Instant now = context.clock().instant();
        EventWindow window = new EventWindow();
        Map<String, ClassSummary> classes = new HashMap<>();
        Progress progress = Progress.every(context.err(), 1_000);
        Inspection inspection;
        try (QueueClient sqs = connection.connect(context.env())) {
            OptionalLong size = sqs.approximateSize(url);
            DlqScan scan = new DlqScan(sqs, url, max, Duration.ofSeconds(visibilityTimeout));
            try (scan) {
                List<DlqMessage> batch;
                while (!(batch = scan.next()).isEmpty()) {
                    for (DlqMessage message : batch) {
                        classes.computeIfAbsent(message.errorClass(), ClassSummary::new).add(message, window, now);
                    }
                    progress.update(scan.scanned(), () -> "scanned " + scan.scanned());
                }
            }
            List<ClassSummary> sorted = new ArrayList<>(classes.values());
            sorted.sort(Comparator.comparingInt(ClassSummary::messages).reversed()
                    .thenComparing(ClassSummary::errorClass));
            inspection = new Inspection(url, scan.scanned(), size, scan.limitReached(), scan.endedOnRepeats(),
                    scan.unreleased(), sorted, now);
        }
        if (json) {
            printJson(inspection);
        } else {
            printTable(inspection);
        }
        return OperatorCommands.OK;
    }

    private record Inspection(String url, int scanned, OptionalLong approximateSize, boolean limitReached,
            boolean endedOnRepeats, int unreleased, List<ClassSummary> classes, Instant now) {

        boolean complete() {
            return !endedOnRepeats && !(limitReached && approximateSize.orElse(Long.MAX_VALUE) > scanned);
        }
    }

    /** What one error class looks like in the DLQ. */
    static final class ClassSummary {
        private final String errorClass;
        private int messages;
        private Instant oldest;
        private int expiredEvents;
        private final Map<String, Integer> errorCodes = new TreeMap<>();
        private final Set<String> sampleReasons = new LinkedHashSet<>();

        ClassSummary(String errorClass) {
            this.errorClass = errorClass;
        }

        void add(DlqMessage message, EventWindow window, Instant now) {
            messages++;
            if (message.sentAt() != null && (oldest == null || message.sentAt().isBefore(oldest))) {
                oldest = message.sentAt();
            }
            if (window.eventTime(message.body()).filter(time -> EventWindow.isExpired(time, now)).isPresent()) {
                expiredEvents++;
            }
            String code = message.errorCode();
            if (code != null) {
                errorCodes.merge(code, 1, Integer::sum);
            }
            String reason = message.errorMessage();
            if (reason != null && sampleReasons.size() < SAMPLE_REASONS) {
                sampleReasons.add(reason.length() <= MAX_REASON_LENGTH ? reason
                        : reason.substring(0, MAX_REASON_LENGTH) + "…");
            }
        }

        String errorClass() {
            return errorClass;
        }

        int messages() {
            return messages;
        }

        Duration oldestAge(Instant now) {
            return oldest == null ? null : Duration.between(oldest, now);
        }
    }

    private void printTable(Inspection inspection) {
        PrintStream out = context.out();
        out.println("DLQ " + inspection.url());
        out.println("Scanned " + inspection.scanned() + (inspection.scanned() == 1 ? " message" : " messages")
                + inspection.approximateSize().stream().mapToObj(n -> " (SQS counted about " + n + ")").findFirst()
                        .orElse("")
                + "; " + (inspection.unreleased() == 0 ? "all are visible again."
                        : inspection.unreleased() + " could not be made visible again and reappear within "
                                + visibilityTimeout + " s."));
        if (!inspection.complete()) {
            out.println(inspection.endedOnRepeats()
                    ? "Incomplete: messages scanned earlier reappeared before the end; raise --visibility-timeout."
                    : "Incomplete: stopped at --max " + max + ".");
        }
        if (inspection.classes().isEmpty()) {
            out.println("The DLQ is empty.");
            return;
        }
        out.println();
        out.printf("%-24s %8s %9s %8s  %s%n", "ERROR CLASS", "MESSAGES", "OLDEST", "EXPIRED", "META ERROR CODES");
        for (ClassSummary summary : inspection.classes()) {
            Duration age = summary.oldestAge(inspection.now());
            out.printf("%-24s %8d %9s %8d  %s%n", summary.errorClass, summary.messages,
                    age == null ? "-" : AgeFormat.of(age), summary.expiredEvents, codes(summary));
            for (String reason : summary.sampleReasons) {
                out.println("    reason: " + reason);
            }
        }
        out.println();
        out.println("OLDEST: time since the oldest message of the class was dead-lettered. EXPIRED: events older "
                + "than Meta's 7-day window; redrive leaves them in the DLQ.");
    }

    private static String codes(ClassSummary summary) {
        if (summary.errorCodes.isEmpty()) {
            return "-";
        }
        List<String> codes = new ArrayList<>();
        summary.errorCodes.forEach((code, count) -> codes.add(code + " ×" + count));
        return String.join(", ", codes);
    }

    private void printJson(Inspection inspection) {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode();
        root.put("dlq_url", inspection.url());
        root.put("scanned", inspection.scanned());
        inspection.approximateSize().ifPresentOrElse(n -> root.put("approximate_size", n),
                () -> root.putNull("approximate_size"));
        root.put("complete", inspection.complete());
        root.put("not_made_visible", inspection.unreleased());
        root.put("as_of", inspection.now().toString());
        ArrayNode classes = root.putArray("classes");
        for (ClassSummary summary : inspection.classes()) {
            ObjectNode node = classes.addObject();
            node.put("error_class", summary.errorClass);
            node.put("messages", summary.messages);
            if (summary.oldest == null) {
                node.putNull("oldest_dead_lettered_at");
                node.putNull("oldest_age_seconds");
            } else {
                node.put("oldest_dead_lettered_at", summary.oldest.toString());
                node.put("oldest_age_seconds", summary.oldestAge(inspection.now()).toSeconds());
            }
            node.put("expired_events", summary.expiredEvents);
            ObjectNode codes = node.putObject("error_codes");
            summary.errorCodes.forEach(codes::put);
            ArrayNode reasons = node.putArray("sample_reasons");
            summary.sampleReasons.forEach(reasons::add);
        }
        context.out().println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }
}
