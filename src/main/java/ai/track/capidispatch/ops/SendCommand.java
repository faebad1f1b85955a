package ai.track.capidispatch.ops;

import ai.track.capidispatch.dispatch.ConversionMessageParser;
import ai.track.capidispatch.dispatch.ParseResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code send FILE}: one message per non-blank line of a JSON-lines file, ten to a {@code SendMessageBatch}.
 * Lines are checked with the worker's own parser first, so a line the worker would dead-letter as
 * {@code INVALID_MESSAGE} is reported by number instead of sent; the report never quotes a line (it is
 * customer data).
 */
@Command(name = "send", sortOptions = false,
        description = "Put conversion messages on the main queue: one message per non-blank line of FILE "
                + "(JSON lines, contract §3).")
final class SendCommand implements Callable<Integer> {

    /**
     * Room for ten messages per batch without meeting SQS's limit on a batch's total size (256 KiB in
     * older regions' documentation, 1 MiB since 2025): a batch closes early rather than being refused.
     * A single larger message still goes, alone in its batch.
     */
    static final int MAX_BATCH_BYTES = 256 * 1024;
    static final int PROGRESS_EVERY = 1_000;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "FILE", description = "UTF-8 file, one JSON message per line")
    Path file;

    @Option(names = "--queue-url", paramLabel = "URL", description = "main queue (default: $SQS_QUEUE_URL)")
    String queueUrl;

    @Option(names = "--rate", paramLabel = "N", description = "at most N messages a second (default: no limit)")
    Double rate;

    @Option(names = "--no-validate",
            description = "send every non-blank line as it is, without checking it is a conversion message")
    boolean noValidate;

    private final OpsContext context;

    SendCommand(OpsContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        String url = ConnectionOptions.required(spec, queueUrl, "--queue-url", context.env(), "SQS_QUEUE_URL");
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ParameterException(spec.commandLine(), "Cannot read " + file);
        }
        if (rate != null && !(rate > 0)) {
            throw new ParameterException(spec.commandLine(), "--rate must be above 0, but was " + rate);
        }
        PrintStream out = context.out();
        Report report = new Report();
        RateLimiter limiter = RateLimiter.perSecond(rate);
        Progress progress = Progress.of(context, "lines", PROGRESS_EVERY).total(OptionalLong.of(countLines(file)));
        ConversionMessageParser parser = new ConversionMessageParser();
        // Undecodable bytes become U+FFFD, which the parser reports as "not valid UTF-8": one bad line does
        // not end the run.
        try (QueueClient sqs = connection.connect(context.env());
                BufferedReader reader = new BufferedReader(
                        new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            Batch batch = new Batch();
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                if (!noValidate && parser.parse(line) instanceof ParseResult.Rejected rejected) {
                    report.invalid++;
                    progress.clear();
                    out.println("line " + number + ": invalid, not sent: " + rejected.reason());
                    continue;
                }
                int bytes = line.getBytes(StandardCharsets.UTF_8).length;
                if (batch.isFull(bytes)) {
                    send(sqs, url, batch, limiter, report, progress);
                }
                batch.add(number, line, bytes);
                progress.update(number, report::summary);
            }
            send(sqs, url, batch, limiter, report, progress);
        } catch (SdkException e) {
            // The whole call failed: the queue is missing, access is denied, SQS cannot be reached. Every
            // further batch would fail the same way.
            progress.finish();
            out.println("Stopped at line " + report.stoppedAt + ": SQS answered " + QueueClient.errorCode(e)
                    + "; that line and the ones after it were not sent.");
            report.print(out, url);
            return OperatorCommands.STOPPED;
        } finally {
            progress.finish();
        }
        report.print(out, url);
        return report.failed + report.invalid == 0 ? OperatorCommands.OK : OperatorCommands.INCOMPLETE;
    }

    private void send(QueueClient sqs, String url, Batch batch, RateLimiter limiter, Report report,
            Progress progress) throws InterruptedException {
        if (batch.entries.isEmpty()) {
            return;
        }
        limiter.acquire(batch.entries.size());
        report.stoppedAt = batch.firstLine();
        List<QueueClient.BatchFailure> failures = sqs.sendBatch(url, batch.entries);
        for (QueueClient.BatchFailure failure : failures) {
            progress.clear();
            report.failed++;
            report.failureCodes.merge(failure.code(), 1, Integer::sum);
            context.out().println("line " + Batch.lineOf(failure.id()) + ": not sent: " + failure.code());
        }
        report.sent += batch.entries.size() - failures.size();
        batch.clear();
    }

    /**
     * Lines as {@link BufferedReader#readLine()} splits them ({@code \n}, {@code \r\n} or a lone {@code \r}),
     * counted on the bytes: neither byte occurs inside another UTF-8 character, so nothing needs decoding.
     */
    static long countLines(Path file) throws IOException {
        long lines = 0;
        int previous = '\n';
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.read(buffer)) > 0) {
                for (int i = 0; i < read; i++) {
                    byte b = buffer[i];
                    if (b == '\r' || (b == '\n' && previous != '\r')) {
                        lines++;
                    }
                    previous = b;
                }
            }
        }
        return previous == '\n' || previous == '\r' ? lines : lines + 1;
    }

    /** Up to ten lines; the entry id is the line number, so SQS's answer names lines. */
    private static final class Batch {
        final List<QueueClient.BatchEntry> entries = new ArrayList<>(QueueClient.MAX_BATCH);
        int bytes;

        boolean isFull(int nextBytes) {
            return entries.size() == QueueClient.MAX_BATCH
                    || (!entries.isEmpty() && bytes + nextBytes > MAX_BATCH_BYTES);
        }

        void add(int line, String body, int size) {
            entries.add(new QueueClient.BatchEntry("line-" + line, body));
            bytes += size;
        }

        int firstLine() {
            return lineOf(entries.get(0).id());
        }

        static int lineOf(String id) {
            return Integer.parseInt(id.substring("line-".length()));
        }

        void clear() {
            entries.clear();
            bytes = 0;
        }
    }

    private static final class Report {
        int sent;
        int invalid;
        int failed;
        int stoppedAt;
        final Map<String, Integer> failureCodes = new TreeMap<>();

        String summary() {
            return "sent " + Progress.count(sent) + ", invalid " + Progress.count(invalid) + ", failed "
                    + Progress.count(failed);
        }

        void print(PrintStream out, String url) {
            out.println();
            out.println("Queue " + url);
            out.printf("  sent     %8d%n", sent);
            out.printf("  invalid  %8d%s%n", invalid, invalid == 0 ? "" : "   not sent: the lines listed above");
            out.printf("  failed   %8d%s%n", failed, failed == 0 ? "" : "   by SQS error code: " + failureCodes);
        }
    }
}
