package ai.track.capidispatch.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Where the machine's CPU went over a window: the benchmark's own JVM (the embedded SQS server, the Graph API stand-in
 * and the loader) and the machine as a whole, from {@code /proc/stat}. On a shared two-core machine it says whether
 * the worker was limited by its own code or by the cores its SQS server and stand-in took.
 */
final class MachineCpu {

    private final long harnessNanos;
    private final long busyTicks;
    private final long totalTicks;
    private final long startNanos;
    private final Map<String, Double> harnessThreads;

    private MachineCpu(long harnessNanos, long busyTicks, long totalTicks, long startNanos,
            Map<String, Double> harnessThreads) {
        this.harnessNanos = harnessNanos;
        this.busyTicks = busyTicks;
        this.totalTicks = totalTicks;
        this.startNanos = startNanos;
        this.harnessThreads = harnessThreads;
    }

    static MachineCpu now() throws IOException {
        long[] ticks = machineTicks();
        return new MachineCpu(harnessCpuNanos(), ticks[0], ticks[1], System.nanoTime(), harnessThreads());
    }

    /**
     * Cores used on average since {@code start}: by the benchmark's JVM, and by the machine (all processes); the CPU
     * seconds the benchmark's JVM spent in all; and the CPU seconds it spent by thread group, largest first (who in
     * it took the cores: the SQS server, the stand-in, the JIT). The groups hold only threads still alive at the
     * end: a thread that ended in the window (the drain's pollers, whose pool is shut down before the count) is
     * in {@code harnessCpuSeconds} alone.
     */
    record Cores(double harness, double machine, double machineCores, double harnessCpuSeconds,
            Map<String, Double> harnessThreads) {

        /** CPU seconds of the harness's thread groups whose name {@code which} accepts. */
        double harnessSeconds(Predicate<String> which) {
            return harnessThreads.entrySet().stream().filter(entry -> which.test(entry.getKey()))
                    .mapToDouble(Map.Entry::getValue).sum();
        }

        /** The largest thread groups, {@code name=seconds}, for a line on stderr. */
        String topHarnessThreads(int groups) {
            return harnessThreads.entrySet().stream().limit(groups)
                    .map(entry -> String.format(Locale.ROOT, "%s=%.1f", entry.getKey(), entry.getValue()))
                    .collect(Collectors.joining(" "));
        }
    }

    Cores since() throws IOException {
        long[] ticks = machineTicks();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double cores = (ticks[1] - totalTicks) / WorkerProcess.CLOCK_TICKS / seconds;
        Map<String, Double> threads = new LinkedHashMap<>();
        harnessThreads().entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), entry.getValue() - harnessThreads.getOrDefault(entry.getKey(),
                        0.0)))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> threads.put(entry.getKey(), entry.getValue()));
        double harnessCpuSeconds = (harnessCpuNanos() - harnessNanos) / 1e9;
        return new Cores(harnessCpuSeconds / seconds, (ticks[0] - busyTicks) / WorkerProcess.CLOCK_TICKS / seconds,
                cores, harnessCpuSeconds, threads);
    }

    private static Map<String, Double> harnessThreads() throws IOException {
        return WorkerProcess.cpuSecondsByThreadGroup(ProcessHandle.current().pid());
    }

    private static long harnessCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Busy and total ticks of all CPUs: the first line of /proc/stat (idle and iowait are not busy). */
    private static long[] machineTicks() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        long idle = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) {
            long value = Long.parseLong(fields[i]);
            total += value;
            if (i == 4 || i == 5) {
                idle += value;
            }
        }
        return new long[] {total - idle, total};
    }
}
