package ai.track.capidispatch.bench;

import ai.track.capidispatch.support.EmbeddedSqs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code bench/run.sh sqs-client}: what an SQS message costs the yardstick's drain in a JVM with the worker's image
 * options, through the yardstick's plain SDK client and through the worker's (its customizer, byte-budget interceptor
 * and listener attributes), one change at a time. Why: in the same process as the SQS server (C2, two processors)
 * the yardstick's pollers spend a fraction of what the worker's receives and deletes take by its profile; this says
 * how much of that is the JVM the worker runs in, how much its client set-up, and how much the attributes.
 *
 * <p>Each variant runs {@code reps} times, interleaved so the machine's drift falls on all of them alike: a fresh
 * child JVM ({@link SqsClientDrain}) drains a warm-up queue, then a measured one, at a fixed number of pollers.
 */
final class SqsClientCost {

    /** A client set-up and a receive request, as {@link SqsClientDrain} takes them. */
    record Variant(String client, String receive) {

        String label() {
            return client + "_client_" + receive + "_receive";
        }
    }

    static final List<Variant> ALL_VARIANTS = List.of(new Variant("yardstick", "plain"),
            new Variant("yardstick", "listener"), new Variant("worker", "plain"), new Variant("worker", "listener"));

    /** {@code client:receive,...}, e.g. {@code yardstick:plain,worker:listener}; blank for all. */
    static List<Variant> variants(String chosen) {
        if (chosen.isBlank()) {
            return ALL_VARIANTS;
        }
        return Arrays.stream(chosen.split(",")).map(String::trim).map(pair -> pair.split(":", 2))
                .map(pair -> new Variant(pair[0], pair.length > 1 ? pair[1] : "plain")).toList();
    }

    private final EmbeddedSqs sqs;
    private final QueueLoader loader;
    private final String java;
    private final List<String> jvmOptions;
    private final Path log;

    SqsClientCost(EmbeddedSqs sqs, QueueLoader loader, String java, List<String> jvmOptions, Path log) {
        this.sqs = sqs;
        this.loader = loader;
        this.java = java;
        this.jvmOptions = jvmOptions;
        this.log = log;
    }

    /** One drain's figures: messages/s and CPU-ms per message in the child JVM and in the SQS server. */
    private record Run(double rate, double clientMs, double serverMs, String threads) {
    }

    void run(List<Variant> variants, int warmup, int events, int pollers, int reps) throws Exception {
        Map<Variant, List<Run>> runs = new LinkedHashMap<>();
        variants.forEach(variant -> runs.put(variant, new ArrayList<>()));
        for (int rep = 1; rep <= reps; rep++) {
            for (Variant variant : variants) {
                Run run = drain(variant, rep, warmup, events, pollers);
                System.err.printf(Locale.ROOT, "sqs-client %s run %d: %.0f messages/s, CPU-ms per message: client=%.4f"
                        + " sqs_server=%.4f | client threads (CPU-s): %s%n", variant.label(), rep, run.rate(),
                        run.clientMs(), run.serverMs(), run.threads());
                runs.get(variant).add(run);
            }
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "BENCH sqs-client events=%d warmup=%d pollers=%d reps=%d jvm=%s", events, warmup, pollers, reps,
                String.join(" ", jvmOptions)));
        runs.forEach((variant, measured) -> line.append(String.format(Locale.ROOT,
                " | %s: messages_per_s=%s cpu_ms_per_message=%s sqs_server_ms=%s", variant.label(),
                Spread.of(measured.stream().map(Run::rate).toList()).format("%.0f"),
                Spread.of(measured.stream().map(Run::clientMs).toList()).format("%.4f"),
                Spread.of(measured.stream().map(Run::serverMs).toList()).format("%.4f"))));
        System.out.println(line);
    }

    private Run drain(Variant variant, int rep, int warmup, int events, int pollers) throws Exception {
        String name = "sqs-client-" + variant.client() + "-" + variant.receive() + "-" + rep;
        Map<QueueAttributeName, String> visibility = Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60");
        String warmQueue = sqs.createQueue(name + "-warm", visibility);
        String queue = sqs.createQueue(name, visibility);
        loader.preload(warmQueue, 0, warmup);
        loader.preload(queue, 0, events);
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SqsClientDrain.class.getName(),
                sqs.endpoint(), warmQueue, queue, String.valueOf(warmup), String.valueOf(events),
                String.valueOf(pollers), variant.client(), variant.receive()));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            MachineCpu measuring = null;
            for (String printed = out.readLine(); printed != null; printed = out.readLine()) {
                if (printed.equals("MEASURE")) {
                    measuring = MachineCpu.now();
                } else if (printed.startsWith("RESULT ") && measuring != null) {
                    CpuPerMessage server = CpuPerMessage.of(measuring.since(), events);
                    String[] fields = printed.split(" ", 4);
                    return new Run(Double.parseDouble(fields[1]), Double.parseDouble(fields[2]),
                            server.sqsServerMs(), fields.length > 3 ? fields[3] : "");
                }
            }
            throw new IOException("the drain of " + name + " printed no result (exit " + child.waitFor() + "); see "
                    + log);
        } finally {
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            sqs.client().deleteQueue(b -> b.queueUrl(warmQueue));
            sqs.client().deleteQueue(b -> b.queueUrl(queue));
        }
    }
}
