package ai.track.capidispatch.bench;

import ai.track.capidispatch.support.EmbeddedSqs;
import ai.track.capidispatch.support.WorkerJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code bench/run.sh throughput}: the figures issue #18 sets targets for, from one command, each repeated so that
 * one noisy run on a shared two-core machine decides nothing.
 * <ol>
 * <li>The drain yardstick ({@link DrainRate}): how fast plain receive + delete-batch pollers empty a queue of this
 * server, the best median over the number of pollers.</li>
 * <li>Per repetition a fresh worker process (the packaged jar with the image's JVM options) on a queue preloaded
 * with {@code warmup + events} events. The measurement starts once {@code warmup} of them have arrived at the Graph
 * stand-in, because the targets are about a worker that has been running, not one still loading and compiling
 * classes: the drain rate from then to the last arrival, and the process's CPU-seconds per 1,000 events over that
 * window only. Then, in the same process, {@code rate} events/s for {@code seconds} and their p95 end-to-end latency
 * (put on the queue to arrival); and the process's peak RSS over all of it.</li>
 * </ol>
 * The backlog is on the queue before the worker starts, as in the yardstick, rather than sent after a separate
 * warm-up: a warm worker polls while it is being sent and would drain it at the loader's pace, and holding it back
 * with SQS delays makes the embedded server's sends many times slower while the worker's long polls wait.
 * One line per repetition goes to stderr, one summary line ({@code BENCH throughput}) to stdout: each figure's
 * median and range, and whether the median meets the target.
 */
final class Throughput {

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration STEADY_TIMEOUT = Duration.ofSeconds(60);
    private static final double RATIO_TARGET = 0.80;
    private static final Target RATIO = new Target(">=0.80", ratio -> ratio >= RATIO_TARGET);
    private static final Target CPU = new Target("<=0.15", cpu -> cpu <= 0.15);
    private static final Target P95 = new Target("<500", p95 -> p95 < 500);
    private static final Target RSS = new Target("<400", rss -> rss < 400);

    /** The mode's options (system properties): events, warmup (events/5), reps (3), rate (500), seconds (30). */
    record Settings(int events, int warmup, int reps, int rate, int seconds, Duration latency) {

        Settings {
            if (events < 1 || warmup < 1 || reps < 1 || rate < 1 || seconds < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "events=%d warmup=%d reps=%d rate=%d"
                        + " seconds=%d: each must be at least 1", events, warmup, reps, rate, seconds));
            }
        }

        static Settings fromSystemProperties(int events, Duration latency) {
            return new Settings(events, Integer.getInteger("warmup", events / 5), Integer.getInteger("reps", 3),
                    Integer.getInteger("rate", 500), Integer.getInteger("seconds", 30), latency);
        }
    }

    /** How to start the packaged worker on a queue of its own. */
    record WorkerLaunch(String java, List<String> jvmOptions, Path jar, Map<String, String> environment, Path logs) {

        WorkerProcess start(String queue, String dlq, String logName) throws Exception {
            int port = WorkerJar.freePort();
            Map<String, String> env = new HashMap<>(environment);
            env.put("SQS_QUEUE_URL", queue);
            env.put("SQS_DLQ_URL", dlq);
            env.put("SERVER_PORT", String.valueOf(port));
            return new WorkerProcess(java, jvmOptions, jar, env, port, logs.resolve(logName));
        }
    }

    /** What one worker process measured; {@code duplicates} and {@code lost} over all its phases. */
    private record Repetition(Drain drain, double steadyP95Ms, double peakRssMb, long duplicates, long lost) {

        double eventsPerSecond() {
            return drain.eventsPerSecond();
        }

        double cpuPer1000() {
            return drain.cpuPer1000();
        }
    }

    /**
     * The warm part of the backlog's drain: events/s, CPU-seconds per 1,000 events, and the cores the worker, the
     * benchmark's JVM (SQS server, stand-in) and the whole machine used meanwhile.
     */
    private record Drain(double eventsPerSecond, double cpuPer1000, double workerCores, MachineCpu.Cores cores,
            CpuPerMessage harnessCpu) {
    }

    /** An issue target for a figure's median. */
    private record Target(String text, DoublePredicate test) {

        String verdict(double median) {
            return "target" + text + (test.test(median) ? " met" : " not met");
        }
    }

    /** The sequence numbers {@code [first, first + count)} of the events one phase sends. */
    private record Events(long first, int count) {

        LongSummaryStatistics arrivals(GraphStandIn meta) {
            return LongStream.range(first, first + count).mapToObj(meta.arrivals::get)
                    .filter(arrived -> arrived != null).mapToLong(Long::longValue).summaryStatistics();
        }

        long lost(GraphStandIn meta) {
            return count - arrivals(meta).getCount();
        }

        void awaitArrivals(GraphStandIn meta, int expected, Duration timeout) throws InterruptedException {
            Benchmark.awaitArrivals(() -> (int) arrivals(meta).getCount(), expected, timeout);
        }
    }

    private final EmbeddedSqs sqs;
    private final QueueLoader loader;
    private final GraphStandIn meta;
    private final WorkerLaunch launch;
    private final Settings settings;
    private long nextSequence;

    Throughput(EmbeddedSqs sqs, QueueLoader loader, GraphStandIn meta, WorkerLaunch launch, Settings settings) {
        this.sqs = sqs;
        this.loader = loader;
        this.meta = meta;
        this.launch = launch;
        this.settings = settings;
    }

    void run() throws Exception {
        DrainRate.Yardstick yardstick = DrainRate.measure(sqs, loader, settings.events(), settings.reps());
        System.err.printf(Locale.ROOT, "drain yardstick: %.0f messages/s, the best median, with %d pollers%n",
                yardstick.rate(), yardstick.best().pollers());
        List<Repetition> repetitions = new ArrayList<>();
        for (int number = 1; number <= settings.reps(); number++) {
            Repetition repetition = repetition(number);
            repetitions.add(repetition);
            MachineCpu.Cores cores = repetition.drain().cores();
            System.err.printf(Locale.ROOT, "throughput rep %d/%d: %.0f events/s (ratio %.2f) | cpu_s_per_1000=%.3f |"
                    + " steady_p95_ms=%.0f | peak_rss_mb=%.0f | duplicates=%d lost=%d | cores while draining:"
                    + " worker=%.2f benchmark_jvm=%.2f machine=%.2f of %.0f%n", number, settings.reps(),
                    repetition.eventsPerSecond(), repetition.eventsPerSecond() / yardstick.rate(),
                    repetition.cpuPer1000(), repetition.steadyP95Ms(), repetition.peakRssMb(), repetition.duplicates(),
                    repetition.lost(), repetition.drain().workerCores(), cores.harness(), cores.machine(),
                    cores.machineCores());
            CpuPerMessage run = repetition.drain().harnessCpu();
            System.err.printf(Locale.ROOT, "throughput rep %d/%d CPU-ms per event: sqs_server=%.3f stand_in=%.3f"
                    + " worker=%.3f; for 0.80 the worker may spend %.3f | benchmark JVM threads (s): %s%n", number,
                    settings.reps(), run.sqsServerMs(), run.restMs(), repetition.cpuPer1000(),
                    CpuPerMessage.workerBudgetFor(RATIO_TARGET, yardstick.rate(), cores.machineCores(), run),
                    cores.topHarnessThreads(8));
        }
        System.out.println(summary(yardstick, repetitions));
    }

    private Repetition repetition(int number) throws Exception {
        String dlq = sqs.createQueue("throughput-dlq-" + number, Map.of());
        String queue = sqs.createQueue("throughput-" + number, Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"));
        Events backlog = next(settings.warmup() + settings.events());
        loader.preload(queue, backlog.first(), backlog.count());
        long duplicatesBefore = meta.duplicates.get();
        try (WorkerProcess worker = launch.start(queue, dlq, "throughput-" + number + ".log")) {
            worker.awaitHealthy(Duration.ofSeconds(120));
            Drain drain = warmDrain(worker, backlog);
            Events steady = next(settings.rate() * settings.seconds());
            double p95 = steadyP95(queue, steady);
            double rss = worker.peakRssMegabytes();
            worker.stop();
            return new Repetition(drain, p95, rss, meta.duplicates.get() - duplicatesBefore,
                    backlog.lost(meta) + steady.lost(meta));
        }
    }

    /** From the moment the first {@code warmup} events of the backlog have arrived until the last one has. */
    private Drain warmDrain(WorkerProcess worker, Events backlog) throws Exception {
        backlog.awaitArrivals(meta, settings.warmup(), DRAIN_TIMEOUT);
        long start = System.nanoTime();
        double cpuAtStart = worker.cpuSeconds();
        MachineCpu machine = MachineCpu.now();
        long arrivedAtStart = backlog.arrivals(meta).getCount();
        backlog.awaitArrivals(meta, backlog.count(), DRAIN_TIMEOUT);
        double cpu = worker.cpuSeconds() - cpuAtStart;
        MachineCpu.Cores cores = machine.since();
        LongSummaryStatistics arrivals = backlog.arrivals(meta);
        long measured = arrivals.getCount() - arrivedAtStart;
        double seconds = (arrivals.getMax() - start) / 1e9;
        return new Drain(measured / seconds, 1000 * cpu / measured, cpu / ((System.nanoTime() - start) / 1e9),
                cores, CpuPerMessage.of(cores, measured));
    }

    private double steadyP95(String queue, Events steady) throws Exception {
        long start = System.nanoTime();
        loader.steady(queue, steady.first(), settings.rate(), settings.seconds());
        steady.awaitArrivals(meta, steady.count(), STEADY_TIMEOUT);
        return Benchmark.latencies(loader, meta, start)[1];
    }

    private Events next(int count) {
        Events events = new Events(nextSequence, count);
        nextSequence += count;
        return events;
    }

    private String summary(DrainRate.Yardstick yardstick, List<Repetition> repetitions) {
        Spread rate = spread(repetitions, Repetition::eventsPerSecond);
        Spread ratio = spread(repetitions, repetition -> repetition.eventsPerSecond() / yardstick.rate());
        Spread cpu = spread(repetitions, Repetition::cpuPer1000);
        Spread p95 = spread(repetitions, Repetition::steadyP95Ms);
        Spread rss = spread(repetitions, Repetition::peakRssMb);
        Spread others = spread(repetitions, repetition -> repetition.drain().harnessCpu().total());
        Spread budget = spread(repetitions, repetition -> CpuPerMessage.workerBudgetFor(RATIO_TARGET,
                yardstick.rate(), repetition.drain().cores().machineCores(), repetition.drain().harnessCpu()));
        return String.format(Locale.ROOT, "BENCH throughput events=%d warmup=%d reps=%d latency=%dms"
                + " steady=%d/s for %ds | drain_rate=%s pollers=%d | worker_events_per_s=%s | ratio=%s %s |"
                + " cpu_s_per_1000=%s %s | steady_p95_ms=%s %s | peak_rss_mb=%s %s | duplicates=%d lost=%d |"
                + " cpu_ms_per_message: yardstick=%.3f worker_run_sqs_server_and_stand_in=%s"
                + " worker_may_spend_for_0.80=%s",
                settings.events(), settings.warmup(), settings.reps(), settings.latency().toMillis(), settings.rate(),
                settings.seconds(), yardstick.best().rates().format("%.0f"), yardstick.best().pollers(),
                rate.format("%.0f"), ratio.format("%.2f"), RATIO.verdict(ratio.median()), cpu.format("%.3f"),
                CPU.verdict(cpu.median()), p95.format("%.0f"), P95.verdict(p95.median()), rss.format("%.0f"),
                RSS.verdict(rss.median()), repetitions.stream().mapToLong(Repetition::duplicates).sum(),
                repetitions.stream().mapToLong(Repetition::lost).sum(), yardstick.best().cpu().total(),
                others.format("%.3f"), budget.format("%.3f"));
    }

    private static Spread spread(List<Repetition> repetitions, ToDoubleFunction<Repetition> figure) {
        return Spread.of(repetitions.stream().map(repetition -> figure.applyAsDouble(repetition)).toList());
    }
}
