package ai.track.capidispatch.bench;

import java.util.function.Predicate;

/**
 * Milliseconds of CPU per message over a window, by who spent them: the SQS server (ElasticMQ's threads in the
 * benchmark's JVM) and the rest of the benchmark's JVM's work (the yardstick's pollers and their SDK client, or the
 * Graph stand-in and the loader). Its JIT compilers and collector are left out of both: they are the benchmark's
 * own warm-up, not a cost of a message.
 *
 * <p>Why: the yardstick and the worker share the same cores with the same SQS server, so the worker's rate is
 * bound by what an event costs all of them together. With what the server and the stand-in spend per event known,
 * the worker's own CPU per event that a share of the yardstick allows follows ({@link #workerBudgetFor}).
 */
record CpuPerMessage(double sqsServerMs, double restMs) {

    private static final Predicate<String> SQS_SERVER = name -> name.startsWith("elasticmq");
    private static final Predicate<String> JIT_OR_GC = name -> name.startsWith("C1 ") || name.startsWith("C2 ")
            || name.startsWith("GC Thread") || name.startsWith("G#") || name.startsWith("VM Thread");

    /**
     * The rest is the JVM's whole CPU less the server's and the JIT's and collector's threads, not the sum of the
     * other threads: the drain's pollers have ended by the time the window closes, and a thread that has ended is
     * no longer listed. (Summing the listed threads left the pollers' own SDK work out and showed the yardstick's
     * client at 0.037 CPU-ms per message instead of 0.060.)
     */
    static CpuPerMessage of(MachineCpu.Cores window, long messages) {
        double server = window.harnessSeconds(SQS_SERVER);
        double rest = Math.max(0, window.harnessCpuSeconds() - server - window.harnessSeconds(JIT_OR_GC));
        return new CpuPerMessage(1000 * server / messages, 1000 * rest / messages);
    }

    /**
     * The most the worker may spend per event, in CPU-ms, to drain at {@code share} of {@code yardstickRate} on
     * {@code cores}: at that rate every event may cost the machine {@code cores / rate}, and of that the SQS server
     * and the stand-in take what {@code workerRun} measured. It grants the worker every core the server and the
     * stand-in leave, none to the kernel or other processes, so it is the most generous reading.
     */
    static double workerBudgetFor(double share, double yardstickRate, double cores, CpuPerMessage workerRun) {
        return 1000 * cores / (share * yardstickRate) - workerRun.total();
    }

    double total() {
        return sqsServerMs + restMs;
    }
}
