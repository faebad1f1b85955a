package ai.track.capidispatch.faults;

import ai.track.capidispatch.faults.EventPlan.Kind;
import ai.track.capidispatch.faults.FlakyMeta.Phase;
import ai.track.capidispatch.resilience.NumberedEvents;
import ai.track.capidispatch.resilience.QueueContents;
import ai.track.capidispatch.support.EmbeddedSqs;
import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.WorkerJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code bench/faults.sh}: the packaged worker jar against everything that goes wrong around it at once, then a
 * count of where every event ended up. It starts an embedded SQS server (main queue and DLQ) and a Graph API
 * stand-in ({@link FlakyMeta}) whose phases come and go — healthy, flaky (random 5xx, 429 with
 * {@code Retry-After}, throttling codes 4/17/613, answers later than the worker's timeout, connection resets)
 * and down — sends numbered events with a few dozen poison among them ({@link EventPlan}), and meanwhile stops
 * the workers every few seconds with SIGTERM or SIGKILL and starts fresh ones, sometimes two at once. Then Meta
 * is healthy for good, the last worker drains the queue and is stopped cleanly, and the harness checks:
 * every good event accepted at Meta at least once, every poison event in the DLQ with its
 * {@code capi-error-class}, no good event in the DLQ, the main queue empty, each event sent with its one
 * {@code event_id}, every SIGTERM obeyed within 25 s, no worker crashed. It prints one summary line and exits
 * non-zero if anything was lost or misplaced.
 *
 * <p>The queue keeps a redrive policy as in production, into the same DLQ, with a {@code maxReceiveCount} above
 * the worker's attempt limit: it only acts if the worker cannot (a crash loop), and what it moves arrives
 * without {@code capi-*} attributes, which the checks count as misplaced.
 *
 * <p>Settings are system properties, see {@link Settings#fromSystemProperties()}. {@code FaultHarnessIT} runs
 * a short version in {@code mvn verify}.
 */
public final class FaultHarness {

    /** The Meta timeouts the workers run with: short, so that a late answer costs seconds, not minutes. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

    /**
     * How a run goes.
     *
     * @param events numbered events to send
     * @param chaos how long Meta's faults and the restarts go on (at least {@code minRestarts} restarts)
     * @param restartEvery time between two restarts (±30 %), counted from the moment the workers are up
     * @param minRestarts restarts before the chaos may end, whatever its duration
     * @param faultRate share of requests that meet a fault while Meta is flaky
     * @param visibilityTimeoutSeconds the main queue's: how long a killed worker's messages stay hidden
     * @param maxAttempts the worker's {@code capi.dispatch.max-attempts}
     * @param maxReceiveCount the redrive backstop, above {@code maxAttempts}
     * @param settleTimeout how long the last worker may take to empty the queue once Meta is healthy
     * @param seed of every random choice of the harness and the stand-in
     * @param jar the worker jar
     * @param java the JVM that runs the workers
     * @param jvmOptions the workers' JVM options
     * @param logDir where each worker's log goes
     */
    public record Settings(int events, Duration chaos, Duration restartEvery, int minRestarts, double faultRate,
            int visibilityTimeoutSeconds, int maxAttempts, int maxReceiveCount, Duration settleTimeout, long seed,
            Path jar, String java, List<String> jvmOptions, Path logDir) {

        /**
         * System properties: {@code jar} (required), {@code events} (3000), {@code chaosSeconds} (150),
         * {@code restartEverySeconds} (15), {@code minRestarts} (6), {@code faultRate} (0.5),
         * {@code visibilityTimeoutSeconds} (15), {@code maxAttempts} (25), {@code maxReceiveCount} ({@code maxAttempts} + 15),
         * {@code settleSeconds} (240), {@code seed} (random), {@code java} (this JVM), {@code jvmOptions}
         * ({@code -Xmx307m -XX:+ExitOnOutOfMemoryError}, a 512 MB task's heap), {@code logDir}
         * ({@code target/faults}).
         */
        public static Settings fromSystemProperties() {
            String jar = System.getProperty("jar");
            if (jar == null || jar.isBlank()) {
                throw new IllegalArgumentException("-Djar=<path of the worker jar> is required");
            }
            return new Settings(Integer.getInteger("events", 3_000),
                    Duration.ofSeconds(Long.getLong("chaosSeconds", 150)),
                    Duration.ofSeconds(Long.getLong("restartEverySeconds", 15)), Integer.getInteger("minRestarts", 6),
                    Double.parseDouble(System.getProperty("faultRate", "0.5")),
                    Integer.getInteger("visibilityTimeoutSeconds", 15), Integer.getInteger("maxAttempts", 25),
                    Integer.getInteger("maxReceiveCount", Integer.getInteger("maxAttempts", 25) + 15), Duration.ofSeconds(Long.getLong("settleSeconds", 240)),
                    Long.getLong("seed", new Random().nextLong()), Path.of(jar),
                    System.getProperty("java", WorkerJar.currentJava()),
                    Arrays.asList(System.getProperty("jvmOptions", "-Xmx307m -XX:+ExitOnOutOfMemoryError").trim()
                            .split("\\s+")),
                    Path.of(System.getProperty("logDir", "target/faults")));
        }

        public Settings {
            if (maxReceiveCount <= maxAttempts) {
                throw new IllegalArgumentException("the redrive backstop (" + maxReceiveCount
                        + ") must be above the worker's attempt limit (" + maxAttempts + ")");
            }
        }

        /**
         * How long the chaos will likely last: its duration, or the minimum restarts if they take longer, each
         * {@code restartEvery} plus a worker's start-up as measured on this machine.
         */
        Duration expectedChaos(Duration startup) {
            Duration restarts = restartEvery.plus(startup).multipliedBy(minRestarts);
            return restarts.compareTo(chaos) > 0 ? restarts : chaos;
        }
    }

    /** Generous: on a loaded 2-core machine two workers starting side by side each took 80 s. */
    private static final Duration HEALTH_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern DERIVED_EVENT_ID = Pattern.compile("capi-[0-9a-f]{32}");

    private final Settings settings;
    private final Consumer<String> progress;
    private final Random random;
    private final long startNanos = System.nanoTime();

    public FaultHarness(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.progress = line -> progress.accept(String.format(Locale.ROOT, "[%4d s] %s",
                (System.nanoTime() - startNanos) / 1_000_000_000L, line));
    }

    public static void main(String[] args) throws Exception {
        Report report = new FaultHarness(Settings.fromSystemProperties(), System.err::println).run();
        report.logErrors().forEach((message, count) -> System.out.println("worker ERROR x" + count + ": " + message));
        report.problems().forEach(problem -> System.out.println("PROBLEM " + problem));
        System.out.println(report.summaryLine());
        System.exit(report.passed() ? 0 : 1);
    }

    public Report run() throws Exception {
        EventPlan plan = new EventPlan(settings.events());
        Path logDir = Files.createDirectories(settings.logDir());
        progress.accept("seed " + settings.seed() + ", " + settings.events() + " events " + plan.countsByKind()
                + ", worker logs in " + logDir.toAbsolutePath());
        ExecutorService background = Executors.newFixedThreadPool(2);
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0);
                FlakyMeta meta = new FlakyMeta(settings.seed(), settings.faultRate(),
                        CALL_TIMEOUT.plusMillis(1_500), TestInfrastructure.twoPixelSecret())) {
            String dlqUrl = sqs.createQueue("capi-dispatch-dlq", Map.of());
            String queueUrl = sqs.createQueue("capi-dispatch", Map.of(
                    QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(settings.visibilityTimeoutSeconds()),
                    QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + arnOf(sqs.client(), dlqUrl)
                            + "\",\"maxReceiveCount\":\"" + settings.maxReceiveCount() + "\"}"));
            try (WorkerPool pool = new WorkerPool(settings.java(), settings.jvmOptions(), settings.jar(),
                    workerEnvironment(sqs, queueUrl, dlqUrl, meta), logDir, progress)) {
                Instant starting = Instant.now();
                pool.start(HEALTH_TIMEOUT);
                Instant chaosStart = Instant.now();
                // Events arrive through most of the chaos, so faults and restarts meet traffic, not only a backlog,
                // on a quiet machine and on a loaded one (where a worker takes longer to start) alike.
                Duration produceOver = settings.expectedChaos(Duration.between(starting, chaosStart))
                        .multipliedBy(8).dividedBy(10);
                progress.accept("sending the events over " + produceOver.toSeconds() + " s");
                AtomicBoolean chaosOver = new AtomicBoolean();
                Map<Phase, Integer> phases = new EnumMap<>(Phase.class);
                Future<?> producer = background.submit(() -> produce(sqs.client(), queueUrl, plan, produceOver));
                Future<?> weather = background.submit(() -> changeMetaPhases(meta, chaosOver, phases));

                restartUntilTheChaosEnds(pool, chaosStart, sqs.client(), queueUrl, dlqUrl, meta, plan);
                chaosOver.set(true);
                weather.get(1, TimeUnit.MINUTES);
                meta.phase(Phase.HEALTHY);
                producer.get(10, TimeUnit.MINUTES);
                Instant chaosEnd = Instant.now();
                progress.accept("chaos over: Meta healthy from now on, one worker drains the queue");

                while (pool.running().size() > 1) {
                    pool.terminate(pool.running().get(0));
                }
                Duration settle = settle(pool, sqs.client(), queueUrl, Instant.now().plus(settings.settleTimeout()));
                progress.accept("queue empty " + settle.toSeconds() + " s after the chaos; final SIGTERM");
                for (WorkerPool.Worker worker : pool.running()) {
                    pool.terminate(worker);
                }
                int queueLeft = QueueContents.messagesOn(sqs.client(), queueUrl);
                List<Message> deadLetters = QueueContents.receiveAll(sqs.client(), dlqUrl);
                Map<String, Integer> phaseCounts = new LinkedHashMap<>();
                phases.forEach((phase, count) -> phaseCounts.put(phase.name(), count));
                return report(plan, meta.journal(), deadLetters, queueLeft, pool.stats(), phaseCounts,
                        Duration.between(chaosStart, chaosEnd), settle);
            }
        } finally {
            background.shutdownNow();
        }
    }

    /**
     * The contract's variables, plus the tuning that makes a fault cost seconds rather than minutes: short Meta
     * timeouts, a short retry backoff and circuit-breaker pause, and an attempt limit that the density of faults
     * here (hours of bad luck within minutes) does not exhaust for a good event.
     */
    private Map<String, String> workerEnvironment(EmbeddedSqs sqs, String queueUrl, String dlqUrl, FlakyMeta meta) {
        Map<String, String> env = new TreeMap<>(WorkerJar.contractEnvironment(queueUrl, dlqUrl, sqs.endpoint(),
                meta.baseUrl()));
        env.put("CAPI_META_CONNECT_TIMEOUT", "1s");
        env.put("CAPI_META_READ_TIMEOUT", "2s");
        env.put("CAPI_META_CALL_TIMEOUT", CALL_TIMEOUT.toSeconds() + "s");
        env.put("CAPI_DISPATCH_RETRY_BASE_DELAY", "1s");
        env.put("CAPI_DISPATCH_RETRY_MAX_DELAY", "8s");
        env.put("CAPI_DISPATCH_MAX_ATTEMPTS", String.valueOf(settings.maxAttempts()));
        env.put("CAPI_SQS_MAX_PAUSE", "10s");
        env.put("RESILIENCE4J_CIRCUITBREAKER_INSTANCES_META_WAIT_DURATION_IN_OPEN_STATE", "2s");
        return env;
    }

    /** Sends every event, ten per call, spread evenly over {@code duration}. */
    private void produce(SqsClient sqs, String queueUrl, EventPlan plan, Duration duration) {
        long calls = (plan.events() + 9) / 10;
        long intervalNanos = duration.toNanos() / Math.max(1, calls);
        long next = System.nanoTime();
        for (int from = 0; from < plan.events(); from += 10) {
            long now = Instant.now().getEpochSecond();
            List<String> bodies = new ArrayList<>(10);
            for (int seq = from; seq < Math.min(from + 10, plan.events()); seq++) {
                bodies.add(EventPlan.body(seq, now));
            }
            NumberedEvents.send(sqs, queueUrl, bodies);
            next += intervalNanos;
            sleepNanos(next - System.nanoTime());
        }
        progress.accept("all " + plan.events() + " events sent");
    }

    /**
     * Healthy for a few seconds, flaky for longer, now and then down altogether (long enough to open the circuit
     * breaker), round and round until the chaos is over.
     */
    private void changeMetaPhases(FlakyMeta meta, AtomicBoolean over, Map<Phase, Integer> phases) {
        Random weather = new Random(settings.seed() + 1);
        while (!over.get()) {
            phase(meta, phases, Phase.HEALTHY, 3 + weather.nextInt(4), over);
            phase(meta, phases, Phase.FLAKY, 8 + weather.nextInt(7), over);
            if (weather.nextInt(3) == 0) {
                phase(meta, phases, Phase.DOWN, 4 + weather.nextInt(5), over);
            }
        }
    }

    private void phase(FlakyMeta meta, Map<Phase, Integer> phases, Phase phase, int seconds, AtomicBoolean over) {
        if (over.get()) {
            return;
        }
        meta.phase(phase);
        synchronized (phases) {
            phases.merge(phase, 1, Integer::sum);
        }
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!over.get() && System.nanoTime() < end) {
            sleepNanos(Duration.ofMillis(200).toNanos());
        }
    }

    /**
     * Every {@link Settings#restartEvery()} (±30 %) the oldest worker is stopped — SIGTERM or SIGKILL, each in
     * every two restarts — and as many fresh ones are started as the next stretch calls for: one, or (one time
     * in three) two side by side. A worker that dies by itself is replaced at once and reported.
     */
    private void restartUntilTheChaosEnds(WorkerPool pool, Instant chaosStart, SqsClient sqs, String queueUrl,
            String dlqUrl, FlakyMeta meta, EventPlan plan) throws Exception {
        Instant chaosEnd = chaosStart.plus(settings.chaos());
        List<Boolean> bag = new ArrayList<>();
        int restarts = 0;
        while (Instant.now().isBefore(chaosEnd) || restarts < settings.minRestarts()) {
            long wait = (long) (settings.restartEvery().toMillis() * (0.7 + 0.6 * random.nextDouble()));
            watch(pool, Duration.ofMillis(wait), sqs, queueUrl, dlqUrl, meta, plan);
            if (bag.isEmpty()) {
                bag.addAll(List.of(true, false));
                Collections.shuffle(bag, random);
            }
            pool.reapCrashed();
            if (pool.running().isEmpty()) {
                pool.start(HEALTH_TIMEOUT); // the only worker crashed a moment ago: reported, replaced
            }
            boolean sigkill = bag.remove(0);
            WorkerPool.Worker oldest = pool.running().get(0);
            if (sigkill) {
                pool.kill(oldest);
            } else {
                pool.terminate(oldest);
            }
            restarts++;
            int wanted = random.nextInt(3) == 0 ? 2 : 1;
            while (pool.running().size() < wanted) {
                pool.start(HEALTH_TIMEOUT);
            }
        }
    }

    /** Waits, replacing crashed workers and printing where things stand every ten seconds. */
    private void watch(WorkerPool pool, Duration duration, SqsClient sqs, String queueUrl, String dlqUrl,
            FlakyMeta meta, EventPlan plan) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        long nextStatus = System.nanoTime();
        while (System.nanoTime() < end) {
            pool.reapCrashed();
            if (pool.running().isEmpty()) {
                pool.start(HEALTH_TIMEOUT);
            }
            if (System.nanoTime() >= nextStatus) {
                status(pool, sqs, queueUrl, dlqUrl, meta, plan);
                nextStatus = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            }
            sleepNanos(Math.min(Duration.ofSeconds(1).toNanos(), end - System.nanoTime()));
        }
    }

    private void status(WorkerPool pool, SqsClient sqs, String queueUrl, String dlqUrl, FlakyMeta meta,
            EventPlan plan) {
        FlakyMeta.Journal journal = meta.journal();
        progress.accept(String.format(Locale.ROOT, "Meta %s, %d worker(s); queue %d visible %d in flight; DLQ %d;"
                + " accepted %d events; %d requests, %d faults", meta.phase(), pool.running().size(),
                QueueContents.visibleOn(sqs, queueUrl), QueueContents.inFlightOn(sqs, queueUrl),
                QueueContents.messagesOn(sqs, dlqUrl), journal.acceptedBySeq().size(), journal.requests(),
                journal.faults()));
    }

    /** Until the main queue is empty (twice in a row), replacing a crashed last worker; how long that took. */
    private Duration settle(WorkerPool pool, SqsClient sqs, String queueUrl, Instant deadline) throws Exception {
        Instant start = Instant.now();
        int emptyReadings = 0;
        Instant nextStatus = Instant.now();
        while (emptyReadings < 2 && Instant.now().isBefore(deadline)) {
            pool.reapCrashed();
            if (pool.running().isEmpty()) {
                pool.start(HEALTH_TIMEOUT);
            }
            emptyReadings = QueueContents.messagesOn(sqs, queueUrl) == 0 ? emptyReadings + 1 : 0;
            if (Instant.now().isAfter(nextStatus)) {
                progress.accept("draining: queue " + QueueContents.visibleOn(sqs, queueUrl) + " visible "
                        + QueueContents.inFlightOn(sqs, queueUrl) + " in flight");
                nextStatus = Instant.now().plusSeconds(10);
            }
            sleepNanos(Duration.ofSeconds(1).toNanos());
        }
        return Duration.between(start, Instant.now());
    }

    private Report report(EventPlan plan, FlakyMeta.Journal journal, List<Message> deadLetters, int queueLeft,
            WorkerPool.Stats workers, Map<String, Integer> phases, Duration chaos, Duration settle) {
        Map<Integer, List<String>> dlqClassesBySeq = new HashMap<>();
        Map<String, Integer> dlqByClass = new TreeMap<>();
        List<String> unreadable = new ArrayList<>();
        for (Message deadLetter : deadLetters) {
            MessageAttributeValue attribute = deadLetter.messageAttributes().get("capi-error-class");
            String errorClass = attribute == null ? "UNCLASSIFIED" : attribute.stringValue();
            dlqByClass.merge(errorClass, 1, Integer::sum);
            OptionalInt seq = EventPlan.seqOf(deadLetter.body());
            if (seq.isPresent()) {
                dlqClassesBySeq.computeIfAbsent(seq.getAsInt(), any -> new ArrayList<>()).add(errorClass);
            } else {
                unreadable.add("DLQ message " + deadLetter.messageId() + " without a seq");
            }
        }
        int poison = 0;
        int goodAccepted = 0;
        int duplicates = 0;
        List<Integer> lost = new ArrayList<>();
        List<Integer> goodInDlq = new ArrayList<>();
        List<Integer> poisonMissing = new ArrayList<>();
        List<String> poisonWrongClass = new ArrayList<>(unreadable);
        List<Integer> localPoisonAtMeta = new ArrayList<>();
        List<String> eventIdProblems = new ArrayList<>();
        for (int seq = 0; seq < plan.events(); seq++) {
            Kind kind = EventPlan.kindOf(seq);
            List<String> classes = dlqClassesBySeq.getOrDefault(seq, List.of());
            int accepted = journal.acceptedBySeq().getOrDefault(seq, 0);
            if (kind == Kind.GOOD) {
                goodAccepted += accepted > 0 ? 1 : 0;
                duplicates += accepted > 1 ? 1 : 0;
                if (accepted == 0 && classes.isEmpty()) {
                    lost.add(seq);
                }
                if (!classes.isEmpty()) {
                    goodInDlq.add(seq);
                }
            } else {
                poison++;
                if (classes.isEmpty()) {
                    poisonMissing.add(seq);
                } else if (classes.stream().anyMatch(errorClass -> !errorClass.equals(kind.errorClass()))) {
                    poisonWrongClass.add(seq + " " + kind + " as " + classes);
                }
                if (kind.local() && journal.eventIdsBySeq().containsKey(seq)) {
                    localPoisonAtMeta.add(seq);
                }
            }
            checkEventIds(seq, kind, journal.eventIdsBySeq().get(seq), eventIdProblems);
        }
        journal.eventIdsBySeq().keySet().stream().filter(seq -> seq < 0 || seq >= plan.events())
                .forEach(seq -> eventIdProblems.add(seq + ": not an event of this run"));
        int dlqDuplicates = dlqClassesBySeq.values().stream().mapToInt(copies -> copies.size() - 1).sum();
        Map<String, Integer> answers = new LinkedHashMap<>();
        journal.answers().forEach((answer, count) -> answers.put(answer.name(), count));
        return new Report(plan.events(), poison, goodAccepted, lost, goodInDlq, poisonMissing, poisonWrongClass,
                localPoisonAtMeta, eventIdProblems, queueLeft, dlqByClass, dlqDuplicates, duplicates, answers,
                journal.unreadableRequests(), workers.started(), workers.sigterms(), workers.sigkills(),
                workers.twoAtOnce(), workers.slowestStop(), workers.slowStops(), workers.crashes(), workers.logErrors(), phases, chaos,
                settle, settings.seed());
    }

    /** One id per event: the producer's, or else the one derived from the content, the same on every resend. */
    private static void checkEventIds(int seq, Kind kind, Set<String> ids, List<String> problems) {
        if (ids == null) {
            if (kind == Kind.GOOD || kind == Kind.META_POISON) {
                problems.add(seq + ": never reached Meta");
            }
            return;
        }
        if (ids.size() != 1 || ids.stream().anyMatch(Objects::isNull)) {
            problems.add(seq + ": sent with " + new HashSet<>(ids));
            return;
        }
        String id = ids.iterator().next();
        String producers = EventPlan.producerEventId(seq);
        if (producers != null ? !producers.equals(id) : !DERIVED_EVENT_ID.matcher(id).matches()) {
            problems.add(seq + ": sent with " + id + " instead of " + (producers != null ? producers : "a derived id"));
        }
    }

    private static String arnOf(SqsClient sqs, String queueUrl) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    private static void sleepNanos(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
