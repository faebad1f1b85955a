package ai.track.capidispatch.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

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

    private MachineCpu(long harnessNanos, long busyTicks, long totalTicks, long startNanos) {
        this.harnessNanos = harnessNanos;
        this.busyTicks = busyTicks;
        this.totalTicks = totalTicks;
        this.startNanos = startNanos;
    }

    static MachineCpu now() throws IOException {
        long[] ticks = machineTicks();
        return new MachineCpu(harnessCpuNanos(), ticks[0], ticks[1], System.nanoTime());
    }

    /** Cores used on average since {@code start}: by the benchmark's JVM, and by the machine (all processes). */
    record Cores(double harness, double machine, double machineCores) {
    }

    Cores since() throws IOException {
        long[] ticks = machineTicks();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double cores = (ticks[1] - totalTicks) / WorkerProcess.CLOCK_TICKS / seconds;
        return new Cores((harnessCpuNanos() - harnessNanos) / 1e9 / seconds,
                (ticks[0] - busyTicks) / WorkerProcess.CLOCK_TICKS / seconds, cores);
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
