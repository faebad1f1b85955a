package ai.track.capidispatch.ops;

import ai.track.capidispatch.ops.DlqSummary.ClassSummary;
import ai.track.capidispatch.ops.DlqSummary.ReasonSummary;
import ai.track.capidispatch.ops.TextTable.Column;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
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
 * {@code dlq inspect}: what is in the DLQ and why, without consuming anything (see {@link DlqScan}). Prints a
 * table by {@code capi-error-class} (counts, ages, expired events, Meta's error codes) and one by class and
 * reason, most frequent first; never a body, which is customer data.
 */
@Command(name = "inspect", sortOptions = false,
        description = {"Summarise the DLQ by capi-error-class and by reason without consuming it.",
                "Messages are hidden while the scan runs (at most --visibility-timeout) and made visible again "
                        + "at the end."})
final class DlqInspectCommand implements Callable<Integer> {

    static final int PROGRESS_EVERY = 1_000;
    /** Rows of the reason table; {@code --json} has every reason. */
    static final int MAX_REASON_ROWS = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--dlq-url", paramLabel = "URL", description = "dead-letter queue (default: $SQS_DLQ_URL)")
    String dlqUrl;

    @Option(names = "--max", paramLabel = "N", defaultValue = "10000",
            description = "scan at most N messages (default: ${DEFAULT-VALUE})")
    int max;

    @Option(names = "--json", description = "print JSON instead of the tables")
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
        DlqSummary summary = new DlqSummary();
        Inspection inspection;
        try (QueueClient sqs = connection.connect(context.env())) {
            OptionalLong size = sqs.approximateSize(url);
            OptionalLong visible = sqs.approximateVisible(url);
            Progress progress = Progress.of(context, "scanned", PROGRESS_EVERY)
                    .total(visible.isPresent() ? OptionalLong.of(Math.min(max, visible.getAsLong())) : visible);
            DlqScan scan = new DlqScan(sqs, url, max, Duration.ofSeconds(visibilityTimeout));
            try (scan) {
                List<DlqMessage> batch;
                while (!(batch = scan.next()).isEmpty()) {
                    for (DlqMessage message : batch) {
                        summary.add(message, now);
                    }
                    progress.update(scan.scanned(), () -> "");
                }
            } finally {
                progress.finish();
            }
            inspection = new Inspection(url, scan.scanned(), size, scan.limitReached(), scan.endedOnRepeats(),
                    scan.unreleased(), summary.classes(), summary.reasons(), now);
        }
        if (json) {
            printJson(inspection);
        } else {
            printTables(inspection);
        }
        return OperatorCommands.OK;
    }

    private record Inspection(String url, int scanned, OptionalLong approximateSize, boolean limitReached,
            boolean endedOnRepeats, int unreleased, List<ClassSummary> classes, List<ReasonSummary> reasons,
            Instant now) {

        boolean complete() {
            return !endedOnRepeats && !(limitReached && approximateSize.orElse(Long.MAX_VALUE) > scanned);
        }
    }

    private void printTables(Inspection inspection) {
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
        TextTable classes = new TextTable(Column.left("ERROR CLASS"), Column.right("MESSAGES"),
                Column.right("OLDEST"), Column.right("EXPIRED"), Column.left("META ERROR CODES"));
        for (ClassSummary summary : inspection.classes()) {
            classes.row(summary.errorClass(), Progress.count(summary.messages()), age(summary, inspection.now()),
                    Progress.count(summary.expiredEvents()), codesWithCounts(summary));
        }
        classes.print(out);

        out.println();
        TextTable reasons = new TextTable(Column.left("ERROR CLASS"), Column.right("MESSAGES"),
                Column.right("OLDEST"), Column.left("META CODE"), Column.left("REASON"));
        List<ReasonSummary> all = inspection.reasons();
        for (ReasonSummary summary : all.subList(0, Math.min(all.size(), MAX_REASON_ROWS))) {
            reasons.row(summary.key().errorClass(), Progress.count(summary.messages()),
                    age(summary, inspection.now()),
                    summary.errorCodes().isEmpty() ? "-" : String.join(", ", summary.errorCodes().keySet()),
                    summary.key().reason() == null ? "-" : summary.key().reason());
        }
        reasons.print(out);
        if (all.size() > MAX_REASON_ROWS) {
            int messages = all.subList(MAX_REASON_ROWS, all.size()).stream().mapToInt(ReasonSummary::messages).sum();
            out.println("... and " + (all.size() - MAX_REASON_ROWS) + " more reasons (" + Progress.count(messages)
                    + " messages): --json lists them all.");
        }
        out.println();
        out.println("OLDEST: time since the oldest message of the row was dead-lettered. EXPIRED: events older "
                + "than Meta's 7-day window; redrive leaves them in the DLQ. META CODE: Meta's code/subcode.");
    }

    private static String age(DlqSummary.Group group, Instant now) {
        Duration age = group.oldestAge(now);
        return age == null ? "-" : AgeFormat.of(age);
    }

    private static String codesWithCounts(DlqSummary.Group group) {
        if (group.errorCodes().isEmpty()) {
            return "-";
        }
        List<String> codes = new ArrayList<>();
        group.errorCodes().forEach((code, count) -> codes.add(code + " ×" + count));
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
            node.put("error_class", summary.errorClass());
            putCounts(node, summary, inspection.now());
            node.put("expired_events", summary.expiredEvents());
            ObjectNode codes = node.putObject("error_codes");
            summary.errorCodes().forEach(codes::put);
            ArrayNode reasons = node.putArray("sample_reasons");
            summary.sampleReasons().forEach(reasons::add);
        }
        ArrayNode reasons = root.putArray("reasons");
        for (ReasonSummary summary : inspection.reasons()) {
            ObjectNode node = reasons.addObject();
            node.put("error_class", summary.key().errorClass());
            node.put("reason", summary.key().reason());
            putCounts(node, summary, inspection.now());
            ObjectNode codes = node.putObject("error_codes");
            summary.errorCodes().forEach(codes::put);
        }
        context.out().println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    private static void putCounts(ObjectNode node, DlqSummary.Group group, Instant now) {
        node.put("messages", group.messages());
        if (group.oldest() == null) {
            node.putNull("oldest_dead_lettered_at");
            node.putNull("oldest_age_seconds");
        } else {
            node.put("oldest_dead_lettered_at", group.oldest().toString());
            node.put("oldest_age_seconds", group.oldestAge(now).toSeconds());
        }
    }
}
