package ai.track.capidispatch.bench;

import ai.track.capidispatch.support.WorkerJar;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The real worker jar in its own process, started with the contract's environment, measured from /proc. */
final class WorkerProcess implements AutoCloseable {

    static final double CLOCK_TICKS = 100.0; // USER_HZ on Linux

    private final Process process;
    private final int port;
    final long startedNanos = System.nanoTime();

    WorkerProcess(String java, List<String> jvmOptions, Path jar, Map<String, String> env, int port, Path log)
            throws IOException {
        this.port = port;
        this.process = WorkerJar.start(java, jvmOptions, jar, env, log);
    }

    /** Seconds from process start until /health answers 200. */
    double awaitHealthy(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited with " + process.exitValue());
            }
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return (System.nanoTime() - startedNanos) / 1e9;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("worker not healthy within " + timeout);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status of a worker that has exited. */
    int exitValue() {
        return process.exitValue();
    }

    /** User + system CPU seconds used so far. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
    }

    /**
     * CPU seconds by thread group (thread names with their numbers removed), largest first: shows whether the
     * work, the JIT compilers or the garbage collector take the CPU.
     */
    Map<String, Double> cpuSecondsByThreadGroup() throws IOException {
        return cpuSecondsByThreadGroup(process.pid());
    }

    /** {@link #cpuSecondsByThreadGroup()} of any process on this machine, this one included. */
    static Map<String, Double> cpuSecondsByThreadGroup(long pid) throws IOException {
        Map<String, Double> groups = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    name = name.startsWith("C1 ") || name.startsWith("C2 ") ? name : name.replaceAll("[0-9]+", "#");
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
                    groups.merge(name, cpu, Double::sum);
                } catch (IOException exited) {
                    // the thread ended while we looked
                }
            }
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }

    /** Peak resident set size in MB (VmHWM). */
    double peakRssMegabytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return -1;
    }

    /** SIGTERM, as ECS stops a task; seconds until exit. */
    double stop() throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
