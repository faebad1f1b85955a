package ai.track.capidispatch.faults;

import ai.track.capidispatch.support.WorkerJar;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The worker jars of a harness run, each in its own process started the way ECS starts a task: {@code java
 * -jar} with an environment of the contract's variables (plus the tuning the harness names), nothing inherited
 * that could change the worker's configuration. Stops them the two ways a task is stopped, and keeps count.
 */
final class WorkerPool implements AutoCloseable {

    /** The contract's limit from SIGTERM to exit (ECS sends SIGKILL at 30 s). */
    static final Duration STOP_LIMIT = Duration.ofSeconds(25);
    /** A crash loop is a finding in itself; starting more workers after this many would only hide it. */
    private static final int MAX_CRASHES = 5;

    /** One worker process. */
    static final class Worker {
        private final String name;
        private final Process process;
        private final int port;
        private final Path log;
        private volatile boolean signalled;

        private Worker(String name, Process process, int port, Path log) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.log = log;
        }

        String name() {
            return name;
        }

        @Override
        public String toString() {
            return name + " (pid " + process.pid() + ")";
        }
    }

    /** What happened to the workers. */
    record Stats(int started, int sigterms, int sigkills, int twoAtOnce, Duration slowestStop,
            List<String> slowStops, List<String> crashes, Map<String, Integer> logErrors) {
    }

    private static final Pattern MESSAGE = Pattern.compile("\"message\":\"([^\"]{0,100})");
    /** A message id or a URL: the message is cut there, so that one kind of error counts as one. */
    private static final Pattern IDS = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-|https?://");

    private final String java;
    private final List<String> jvmOptions;
    private final Path jar;
    private final Map<String, String> env;
    private final Path logDir;
    private final Consumer<String> progress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Worker> running = new ArrayList<>();
    private final List<Worker> all = new ArrayList<>();
    private int started;
    private int sigterms;
    private int sigkills;
    private int twoAtOnce;
    private Duration slowestStop = Duration.ZERO;
    private final List<String> slowStops = new ArrayList<>();
    private final List<String> crashes = new ArrayList<>();

    /**
     * @param env the worker's whole environment, apart from {@code SERVER_PORT}, which is chosen per worker
     */
    WorkerPool(String java, List<String> jvmOptions, Path jar, Map<String, String> env, Path logDir,
            Consumer<String> progress) {
        this.java = java;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.jar = jar;
        this.env = Map.copyOf(env);
        this.logDir = logDir;
        this.progress = progress;
    }

    /** Starts a worker and waits until its {@code /health} answers 200. */
    Worker start(Duration healthTimeout) throws IOException, InterruptedException {
        if (crashes.size() >= MAX_CRASHES) {
            throw new IllegalStateException("workers keep failing, giving up: " + crashes);
        }
        int port = WorkerJar.freePort();
        String name = "worker-" + (++started);
        Path log = logDir.resolve(name + ".log");
        Map<String, String> workerEnv = new TreeMap<>(env);
        workerEnv.put("SERVER_PORT", String.valueOf(port));
        Worker worker = new Worker(name, WorkerJar.start(java, jvmOptions, jar, workerEnv, log), port, log);
        running.add(worker);
        all.add(worker);
        if (running.size() > 1) {
            twoAtOnce++;
        }
        awaitHealthy(worker, healthTimeout);
        progress.accept("started " + worker + (running.size() > 1 ? ", " + running.size() + " running" : ""));
        return worker;
    }

    private void awaitHealthy(Worker worker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!worker.process.isAlive()) {
                return; // noticed as a crash by the next check
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + worker.port + "/health")).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        crashes.add(worker + " not healthy within " + timeout.toSeconds() + " s, see " + worker.log);
        kill(worker);
    }

    /** SIGTERM, as ECS stops a task; waits for the exit and records a stop slower than {@link #STOP_LIMIT}. */
    Duration terminate(Worker worker) throws InterruptedException {
        worker.signalled = true;
        long start = System.nanoTime();
        worker.process.destroy();
        boolean exited = worker.process.waitFor(STOP_LIMIT.toSeconds() + 5, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (!exited) {
            worker.process.destroyForcibly().waitFor();
        }
        running.remove(worker);
        sigterms++;
        if (took.compareTo(slowestStop) > 0) {
            slowestStop = took;
        }
        if (!exited || took.compareTo(STOP_LIMIT) > 0) {
            slowStops.add(worker + " took " + (exited ? seconds(took) : "over 30 s") + " to stop on SIGTERM, see "
                    + worker.log);
        }
        progress.accept("SIGTERM " + worker + ": exited in " + seconds(took) + " with " + exitValue(worker));
        return took;
    }

    /** SIGKILL: no shutdown hook, no drain, no acknowledgement flush. */
    void kill(Worker worker) throws InterruptedException {
        worker.signalled = true;
        worker.process.destroyForcibly().waitFor();
        running.remove(worker);
        sigkills++;
        progress.accept("SIGKILL " + worker);
    }

    /** Workers that exited without being told to: recorded as crashes and forgotten. */
    int reapCrashed() {
        int crashed = 0;
        for (Worker worker : List.copyOf(running)) {
            if (!worker.process.isAlive() && !worker.signalled) {
                running.remove(worker);
                crashes.add(worker + " exited by itself with " + worker.process.exitValue() + ", see " + worker.log);
                progress.accept("CRASH " + worker + " exited with " + worker.process.exitValue());
                crashed++;
            }
        }
        return crashed;
    }

    /** Running workers, oldest first. */
    List<Worker> running() {
        return List.copyOf(running);
    }

    Stats stats() throws IOException {
        return new Stats(started, sigterms, sigkills, twoAtOnce, slowestStop, List.copyOf(slowStops),
                List.copyOf(crashes), logErrors());
    }

    /** The workers' ERROR log lines, counted by their message: none is expected from the faults injected. */
    private Map<String, Integer> logErrors() throws IOException {
        Map<String, Integer> errors = new TreeMap<>();
        for (Worker worker : all) {
            try (Stream<String> lines = Files.lines(worker.log)) {
                lines.filter(line -> line.contains("\"level\":\"ERROR\"")).forEach(line -> {
                    Matcher message = MESSAGE.matcher(line);
                    String text = message.find() ? message.group(1) : line;
                    Matcher id = IDS.matcher(text);
                    errors.merge(id.find() ? text.substring(0, id.start()) + "…" : text, 1, Integer::sum);
                });
            }
        }
        return errors;
    }

    private static String exitValue(Worker worker) {
        return worker.process.isAlive() ? "no exit" : "status " + worker.process.exitValue();
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** Leaves no process behind, whatever happened to the run. */
    @Override
    public void close() {
        for (Worker worker : running) {
            worker.signalled = true;
            worker.process.destroyForcibly();
        }
        running.clear();
    }
}
