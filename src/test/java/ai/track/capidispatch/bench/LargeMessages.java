package ai.track.capidispatch.bench;

import ai.track.capidispatch.resilience.QueueContents;
import ai.track.capidispatch.support.EmbeddedSqs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The memory scenario ({@code bench/run.sh large}): a backlog a real shop produces on a sale day, large carts of
 * 200 KB to 1 MiB mixed with ordinary small purchases and a few bodies that cannot be a conversion (a megabyte of
 * nesting), drained by the packaged jar with the image's JVM options at each task size. Prints one BENCH line per
 * task size: deaths, delivered and dead-lettered against what was sent, peak RSS against the task's memory.
 */
final class LargeMessages {

    /** Bodies stay below SQS's 1 MiB with room for the attributes a DLQ copy adds. */
    private static final int LARGEST_BODY = 1_040_000;
    private static final int SMALLEST_LARGE_BODY = 200 * 1024;

    static void run(EmbeddedSqs sqs, GraphStandIn meta, String java, List<String> jvmOptions, Path jar,
            Map<String, String> baseEnv, Path logs) throws Exception {
        int large = Integer.getInteger("large", 1000);
        int small = Integer.getInteger("small", 2000);
        int poison = Integer.getInteger("poison", 10);
        for (String memory : System.getProperty("taskMemory", "512,1024").split(",")) {
            int memoryMb = Integer.parseInt(memory.trim());
            List<String> options = new ArrayList<>(jvmOptions.size());
            for (String option : jvmOptions) {
                options.add(option.startsWith("-XX:MaxRAM=") ? "-XX:MaxRAM=" + memoryMb + "m" : option);
            }
            String dlq = sqs.createQueue("large-dlq-" + memoryMb, Map.of());
            String queue = sqs.createQueue("large-" + memoryMb, Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "120"));
            long first = meta.arrivals.size() + 10_000_000L * memoryMb; // event ids of their own per run
            Sent sent = send(sqs, queue, first, large, small, poison);
            Map<String, String> env = new HashMap<>(baseEnv);
            env.put("SQS_QUEUE_URL", queue);
            env.put("SQS_DLQ_URL", dlq);
            int port = ai.track.capidispatch.support.WorkerJar.freePort();
            env.put("SERVER_PORT", String.valueOf(port));
            long arrivedBefore = meta.arrivals.keySet().stream().filter(sequence -> sequence >= first).count();
            try (WorkerProcess worker = new WorkerProcess(java, options, jar, env, port,
                    logs.resolve("large-" + memoryMb + ".log"))) {
                worker.awaitHealthy(Duration.ofSeconds(120));
                double cpuAtReady = worker.cpuSeconds();
                long start = System.nanoTime();
                int expectedDelivered = large + small;
                int deadLettered = 0;
                boolean died = false;
                long deadline = start + Duration.ofMinutes(10).toNanos();
                double rss = 0;
                while (System.nanoTime() < deadline) {
                    died = !worker.isAlive();
                    if (!died) {
                        try {
                            rss = Math.max(rss, worker.peakRssMegabytes()); // sampled: gone once it is dead
                        } catch (java.io.IOException exited) {
                            died = true;
                        }
                    }
                    deadLettered = QueueContents.visibleOn(sqs.client(), dlq);
                    if (died || delivered(meta, first) >= expectedDelivered && deadLettered >= poison) {
                        break;
                    }
                    Thread.sleep(200);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                // A dead worker's /proc entry is gone: its CPU is unknown (-1) and its peak RSS the last sampled.
                double cpu = died ? -1 : worker.cpuSeconds() - cpuAtReady;
                rss = died ? rss : worker.peakRssMegabytes();
                long delivered = delivered(meta, first) - arrivedBefore;
                double stop = died ? -1 : worker.stop();
                List<Message> dlqMessages = QueueContents.receiveAll(sqs.client(), dlq);
                int leftOnQueue = QueueContents.messagesOn(sqs.client(), queue);
                long withReason = dlqMessages.stream()
                        .filter(message -> message.messageAttributes().containsKey("capi-error-class")).count();
                System.out.printf(Locale.ROOT, "BENCH large task_memory=%dMB | sent=%d (large=%d small=%d poison=%d) |"
                        + " worker_deaths=%d%s | delivered=%d dead_lettered=%d with_reason=%d left_on_queue=%d lost=%d | %.0f s,"
                        + " %.1f MB/s of bodies | cpu_s=%.1f | peak_rss_mb=%.0f (%.0f%% of task memory) | stop_s=%.1f%n",
                        memoryMb, sent.messages(), large, small, poison, died ? 1 : 0,
                        died ? " (exit " + worker.exitValue() + ", see " + logs.resolve("large-" + memoryMb + ".log") + ")"
                                : "", delivered, dlqMessages.size(),
                        withReason, leftOnQueue, sent.messages() - delivered - dlqMessages.size() - leftOnQueue, seconds,
                        sent.megabytes() / seconds,
                        cpu, rss,
                        100 * rss / memoryMb, stop);
            }
        }
    }

    private static long delivered(GraphStandIn meta, long first) {
        return meta.arrivals.keySet().stream().filter(sequence -> sequence >= first).count();
    }

    private record Sent(int messages, double megabytes) {
    }

    /** Puts the mix on the queue in random order, eight threads of SendMessage (a large body fills a batch alone). */
    private static Sent send(EmbeddedSqs sqs, String queue, long first, int large, int small, int poison)
            throws Exception {
        Random random = new Random(42);
        List<String> bodies = new ArrayList<>(large + small + poison);
        long epochSeconds = System.currentTimeMillis() / 1000;
        long sequence = first;
        for (int i = 0; i < large; i++) {
            bodies.add(cart(sequence++, epochSeconds,
                    SMALLEST_LARGE_BODY + random.nextInt(LARGEST_BODY - SMALLEST_LARGE_BODY)));
        }
        for (int i = 0; i < small; i++) {
            bodies.add(QueueLoader.body(sequence++, epochSeconds));
        }
        for (int i = 0; i < poison; i++) {
            bodies.add(nesting(LARGEST_BODY));
        }
        Collections.shuffle(bodies, random);
        double megabytes = bodies.stream().mapToLong(String::length).sum() / 1e6;
        ExecutorService threads = Executors.newFixedThreadPool(8);
        AtomicInteger sent = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        for (String body : bodies) {
            work.add(threads.submit(() -> {
                sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody(body));
                sent.incrementAndGet();
            }));
        }
        for (Future<?> future : work) {
            future.get();
        }
        threads.shutdown();
        return new Sent(sent.get(), megabytes);
    }

    /** A purchase whose cart ({@code custom_data.contents}) brings the body to about {@code bytes}. */
    static String cart(long sequence, long epochSeconds, int bytes) {
        String head = QueueLoader.body(sequence, epochSeconds);
        String prefix = head.substring(0, head.lastIndexOf("\"num_items\""));
        StringBuilder body = new StringBuilder(bytes + 200).append(prefix).append("\"contents\":[");
        for (int item = 0; body.length() < bytes; item++) {
            if (item > 0) {
                body.append(',');
            }
            body.append("{\"id\":\"sku-").append(100_000 + item).append("\",\"quantity\":").append(1 + item % 3)
                    .append(",\"item_price\":").append(12.5 + item % 7).append('}');
        }
        return body.append("],\"num_items\":2}}}").toString();
    }

    /** What no conversion is: a megabyte of nested arrays. */
    static String nesting(int bytes) {
        return "{\"event\":{\"custom_data\":{\"x\":" + "[".repeat(bytes / 2) + "]".repeat(bytes / 2) + "}}}";
    }

    private LargeMessages() {
    }
}
