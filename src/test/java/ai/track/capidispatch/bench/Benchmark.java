package ai.track.capidispatch.bench;

import ai.track.capidispatch.support.EmbeddedSqs;
import ai.track.capidispatch.support.WorkerJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code bench/run.sh}: measures the real worker jar against an embedded SQS server and a Graph API stand-in
 * with a fixed latency, and prints one summary line. Modes:
 * <ul>
 * <li>{@code preload} (default): N events on the queue, then the worker drains it from start-up; compared with the
 * {@link DrainRate} yardstick (plain receive-10 + delete-batch pollers on the same server), measured in the same
 * run;</li>
 * <li>{@code steady}: events arrive at a fixed rate; reports end-to-end latency under load;</li>
 * <li>{@code startup}: only the start-up measurement the other modes begin with;</li>
 * <li>{@code large}: the memory scenario of {@link LargeMessages};</li>
 * <li>{@code throughput}: the issue #18 figures, repeated, with median and range: yardstick, a warm worker's drain
 * rate and CPU per 1,000 events, steady p95 latency, peak RSS, against their targets ({@link Throughput});</li>
 * <li>{@code sqs-client}: the yardstick's drain in a JVM with the worker's options, through the yardstick's client
 * and the worker's, with and without the listener's attributes ({@link SqsClientCost}).</li>
 * </ul>
 * Options (system properties): {@code events} (50000), {@code latencyMs} (50), {@code rate} (500),
 * {@code seconds} (60; 30 in {@code throughput}), {@code reps} (repetitions: 3 in {@code throughput}, 1 for the
 * yardstick in {@code preload}), {@code warmup} ({@code throughput}: events drained before measuring, events/5),
 * {@code java} (the JVM running the worker), {@code jvmOptions} (replace the image's), {@code extraJvmOptions}
 * (added to them, e.g. a flight recording).
 */
public final class Benchmark {

    private static final String PIXEL = "123456789012345";
    private static final Duration WARM_UP = Duration.ofSeconds(15);

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "preload";
        int events = Integer.getInteger("events", 50_000);
        Duration latency = Duration.ofMillis(Long.getLong("latencyMs", 50));
        Path jar = Path.of(System.getProperty("jar"));
        String java = System.getProperty("java", WorkerJar.currentJava());
        ImageRuntime image = ImageRuntime.fromDockerfile(Path.of("Dockerfile"));
        String customOptions = System.getProperty("jvmOptions", "").trim();
        List<String> jvmOptions = new ArrayList<>(customOptions.isEmpty() ? image.jvmOptions()
                : Arrays.asList(customOptions.split("\\s+")));
        String extraOptions = System.getProperty("extraJvmOptions", "").trim();
        if (!extraOptions.isEmpty()) {
            jvmOptions.addAll(Arrays.asList(extraOptions.split("\\s+")));
        }
        System.err.println("worker JVM options: " + String.join(" ", jvmOptions) + "; environment from the image: "
                + image.environment());

        try (EmbeddedSqs sqs = EmbeddedSqs.start(0);
                GraphStandIn meta = new GraphStandIn(latency, "{\"access_token\":\"bench-token\",\"pixel_id\":\""
                        + PIXEL + "\"}")) {
            String dlq = sqs.createQueue("capi-dispatch-dlq", Map.of());
            String queue = sqs.createQueue("capi-dispatch", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"));
            QueueLoader loader = new QueueLoader(sqs.client());
            Map<String, String> env = new HashMap<>(image.environment());
            env.putAll(WorkerJar.contractEnvironment(queue, dlq, sqs.endpoint(), meta.baseUrl()));
            Path logs = Files.createDirectories(Path.of("target", "bench"));
            if (mode.equals("throughput")) {
                new Throughput(sqs, loader, meta, new Throughput.WorkerLaunch(java, jvmOptions, jar, env, logs),
                        Throughput.Settings.fromSystemProperties(events, latency)).run();
                return;
            }
            if (mode.equals("sqs-client")) {
                new SqsClientCost(sqs, loader, java, jvmOptions, logs.resolve("sqs-client.log")).run(
                        SqsClientCost.variants(System.getProperty("variants", "")), Integer.getInteger("warmup", events / 5), events, Integer.getInteger("pollers", 16),
                        Integer.getInteger("reps", 3));
                return;
            }

            // Start-up alone, on an empty queue: CPU-seconds and seconds until /health answers 200.
            int port = WorkerJar.freePort();
            env.put("SERVER_PORT", String.valueOf(port));
            double startupSeconds;
            double startupCpu;
            try (WorkerProcess worker = new WorkerProcess(java, jvmOptions, jar, env, port, logs.resolve("startup.log"))) {
                startupSeconds = worker.awaitHealthy(Duration.ofSeconds(120));
                startupCpu = worker.cpuSeconds();
                worker.stop();
            }

            if (mode.equals("startup")) {
                System.out.printf(Locale.ROOT, "BENCH startup | startup_s=%.1f startup_cpu_s=%.1f%n", startupSeconds,
                        startupCpu);
            } else if (mode.equals("large")) {
                LargeMessages.run(sqs, meta, java, jvmOptions, jar, env, logs);
            } else if (mode.equals("steady")) {
                steady(sqs, queue, loader, meta, java, jvmOptions, jar, env, logs, startupSeconds, startupCpu);
            } else {
                preload(sqs, queue, loader, meta, events, java, jvmOptions, jar, env, logs, startupSeconds, startupCpu,
                        latency);
            }
        }
    }

    private static void preload(EmbeddedSqs sqs, String queue, QueueLoader loader, GraphStandIn meta, int events,
            String java, List<String> jvmOptions, Path jar, Map<String, String> env, Path logs, double startupSeconds,
            double startupCpu, Duration latency) throws Exception {
        double drainRate = DrainRate.measure(sqs, loader, events, Integer.getInteger("reps", 1)).rate();

        loader.preload(queue, 0, events);
        int port = WorkerJar.freePort();
        env.put("SERVER_PORT", String.valueOf(port));
        try (WorkerProcess worker = new WorkerProcess(java, jvmOptions, jar, env, port, logs.resolve("preload.log"))) {
            worker.awaitHealthy(Duration.ofSeconds(120));
            double cpuAtReady = worker.cpuSeconds();
            Map<String, Double> threadCpuAtReady = worker.cpuSecondsByThreadGroup();
            long readyNanos = System.nanoTime();
            awaitArrivals(meta, events, Duration.ofMinutes(10));
            double seconds = (meta.lastArrivalNanos.get() - readyNanos) / 1e9;
            double cpu = worker.cpuSeconds() - cpuAtReady;
            double rss = worker.peakRssMegabytes();
            printThreadCpu(worker, threadCpuAtReady);
            double stopSeconds = worker.stop();
            double rate = meta.arrivals.size() / seconds;
            double[] percentiles = latencies(loader, meta);
            System.out.printf(Locale.ROOT, "BENCH preload events=%d latency=%dms | %.0f events/s (%.0f%% of drain rate"
                    + " %.0f/s) | requests=%d mean_events_per_request=%.0f | e2e_latency_ms p50=%.0f p95=%.0f p99=%.0f"
                    + " (queue wait included) | cpu_s_per_1000=%.3f | peak_rss_mb=%.0f | startup_s=%.1f"
                    + " startup_cpu_s=%.1f | stop_s=%.1f | duplicates=%d lost=%d%n",
                    events, latency.toMillis(), rate, 100 * rate / drainRate, drainRate, meta.requests.get(),
                    (double) meta.eventsReceived.get() / meta.requests.get(), percentiles[0], percentiles[1],
                    percentiles[2], 1000 * cpu / meta.arrivals.size(), rss, startupSeconds, startupCpu, stopSeconds,
                    meta.duplicates.get(), events - meta.arrivals.size());
        }
    }

    private static void steady(EmbeddedSqs sqs, String queue, QueueLoader loader, GraphStandIn meta, String java,
            List<String> jvmOptions, Path jar, Map<String, String> env, Path logs, double startupSeconds,
            double startupCpu) throws Exception {
        int rate = Integer.getInteger("rate", 500);
        int seconds = Integer.getInteger("seconds", 60);
        int port = WorkerJar.freePort();
        env.put("SERVER_PORT", String.valueOf(port));
        try (WorkerProcess worker = new WorkerProcess(java, jvmOptions, jar, env, port, logs.resolve("steady.log"))) {
            worker.awaitHealthy(Duration.ofSeconds(120));
            double cpuAtReady = worker.cpuSeconds();
            Map<String, Double> threadCpuAtReady = worker.cpuSecondsByThreadGroup();
            loader.steady(queue, 0, rate, seconds);
            int total = rate * seconds;
            awaitArrivals(meta, total, Duration.ofSeconds(60));
            double cpu = worker.cpuSeconds() - cpuAtReady;
            double rss = worker.peakRssMegabytes();
            printThreadCpu(worker, threadCpuAtReady);
            worker.stop();
            double[] percentiles = latencies(loader, meta);
            // A JVM that has just started compiles the hot code while the first events arrive: the same figures for
            // the events sent after the first WARM_UP, as a worker that has been running for a while sees them.
            long firstSent = loader.sentAt.values().stream().mapToLong(Long::longValue).min().orElse(0);
            double[] warm = latencies(loader, meta, firstSent + WARM_UP.toNanos());
            printLatencyWindows(loader, meta, firstSent);
            System.out.printf(Locale.ROOT, "BENCH steady rate=%d/s for %ds | requests=%d mean_events_per_request=%.0f |"
                    + " e2e_latency_ms p50=%.0f p95=%.0f p99=%.0f | after the first %ds: p50=%.0f p95=%.0f p99=%.0f |"
                    + " cpu_s_per_1000=%.3f | peak_rss_mb=%.0f |"
                    + " startup_s=%.1f startup_cpu_s=%.1f | duplicates=%d lost=%d%n",
                    rate, seconds, meta.requests.get(), (double) meta.eventsReceived.get() / meta.requests.get(),
                    percentiles[0], percentiles[1], percentiles[2], WARM_UP.toSeconds(), warm[0], warm[1], warm[2],
                    1000 * cpu / meta.arrivals.size(), rss,
                    startupSeconds, startupCpu, meta.duplicates.get(), total - meta.arrivals.size());
        }
    }

    /**
     * Where the worker's CPU went while it worked (since /health answered), by thread group, largest first; to
     * stderr, not the summary line. Threads that ended meanwhile are missing, so the sum can fall short.
     */
    private static void printThreadCpu(WorkerProcess worker, Map<String, Double> atReady) throws IOException {
        StringBuilder line = new StringBuilder("worker CPU by thread group while working (s):");
        worker.cpuSecondsByThreadGroup().entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), entry.getValue() - atReady.getOrDefault(entry.getKey(), 0.0)))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                .forEach(entry -> line.append(String.format(Locale.ROOT, " %s=%.1f", entry.getKey(), entry.getValue())));
        System.err.println(line);
    }

    private static void awaitArrivals(GraphStandIn meta, int expected, Duration timeout) throws InterruptedException {
        awaitArrivals(meta.arrivals::size, expected, timeout);
    }

    /** Until {@code arrived} reaches {@code expected}, the timeout passes, or nothing arrives for 30 s. */
    static void awaitArrivals(IntSupplier arrived, int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastProgress = System.nanoTime();
        int last = 0;
        while (arrived.getAsInt() < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            int now = arrived.getAsInt();
            if (now != last) {
                last = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > Duration.ofSeconds(30).toNanos()) {
                break; // stalled: report what arrived
            }
        }
    }

    /**
     * p50, p95 and the maximum latency of the events sent in each 5 s, to stderr: a tail from one window is a stall
     * (a pause, a compile, the machine), a tail spread over all of them is the worker's steady state.
     */
    private static void printLatencyWindows(QueueLoader loader, GraphStandIn meta, long firstSent) {
        long window = Duration.ofSeconds(5).toNanos();
        Map<Long, List<Long>> byWindow = new java.util.TreeMap<>();
        meta.arrivals.forEach((sequence, arrived) -> {
            Long sent = loader.sentAt.get(sequence);
            if (sent != null) {
                byWindow.computeIfAbsent((sent - firstSent) / window, key -> new ArrayList<>()).add(arrived - sent);
            }
        });
        StringBuilder line = new StringBuilder("latency by 5 s of sending (p50/p95/max ms):");
        byWindow.forEach((index, values) -> {
            values.sort(null);
            line.append(String.format(Locale.ROOT, " %ds:%.0f/%.0f/%.0f", index * 5, at(values, 0.50), at(values, 0.95),
                    values.get(values.size() - 1) / 1e6));
        });
        System.err.println(line);
    }

    /** p50, p95, p99 of put-on-queue → arrived-at-Meta, in ms. */
    private static double[] latencies(QueueLoader loader, GraphStandIn meta) {
        return latencies(loader, meta, Long.MIN_VALUE);
    }

    /** The same for the events put on the queue at or after {@code sentFromNanos}. */
    static double[] latencies(QueueLoader loader, GraphStandIn meta, long sentFromNanos) {
        List<Long> values = new ArrayList<>(meta.arrivals.size());
        meta.arrivals.forEach((sequence, arrived) -> {
            Long sent = loader.sentAt.get(sequence);
            if (sent != null && sent >= sentFromNanos) {
                values.add(arrived - sent);
            }
        });
        values.sort(null);
        if (values.isEmpty()) {
            return new double[] {-1, -1, -1};
        }
        return new double[] {at(values, 0.50), at(values, 0.95), at(values, 0.99)};
    }

    private static double at(List<Long> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1)) / 1e6;
    }

    private Benchmark() {
    }
}
