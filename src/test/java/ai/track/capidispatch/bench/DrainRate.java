package ai.track.capidispatch.bench;

import ai.track.capidispatch.support.EmbeddedSqs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The yardstick: how fast this SQS server can be emptied by pollers that do nothing but receive ten (long poll of
 * 1 s) and delete-batch what came, on the CRT client the worker uses. The worker's drain rate is reported against
 * it. Each number of pollers in {@link #POLLERS} drains a fresh queue of the worker's backlog size (the preload is
 * not timed) {@code reps} times; the yardstick is the best median. Searching over the pollers matters: the pollers
 * share the two cores with the SQS server, so too few leave the server idle and too many spend its CPU on their
 * own calls, and where the optimum lies depends on the machine. The median of repetitions keeps one lucky run
 * from raising the bar.
 */
final class DrainRate {

    static final List<Integer> POLLERS = List.of(1, 2, 4, 8, 12, 16);
    /** Every poller's receive or delete has a connection of its own, with room to spare. */
    private static final int CONNECTIONS = 64;
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);

    /**
     * The drain rates (messages/s) one number of pollers reached, and the CPU a message cost in the benchmark's JVM
     * (the SQS server, the pollers and their client), by the median of the runs.
     */
    record PollerRates(int pollers, Spread rates, CpuPerMessage cpu) {
    }

    /** The rates by number of pollers; {@link #best()} is the yardstick. */
    record Yardstick(List<PollerRates> byPollers) {

        PollerRates best() {
            return byPollers.stream().max(Comparator.comparingDouble(rates -> rates.rates().median())).orElseThrow();
        }

        double rate() {
            return best().rates().median();
        }
    }

    private DrainRate() {
    }

    /** Drains {@code reps} queues of {@code events} messages per number of pollers; prints each number's rates. */
    static Yardstick measure(EmbeddedSqs sqs, QueueLoader loader, int events, int reps) throws Exception {
        List<PollerRates> byPollers = new ArrayList<>();
        try (SqsAsyncClient crt = yardstickClient(sqs.asyncClientBuilder())) {
            for (int pollers : POLLERS) {
                List<Double> rates = new ArrayList<>(reps);
                List<CpuPerMessage> costs = new ArrayList<>(reps);
                List<Double> machineCores = new ArrayList<>(reps);
                for (int rep = 1; rep <= reps; rep++) {
                    String queue = sqs.createQueue("drain-yardstick-" + pollers + "-" + rep,
                            Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"));
                    loader.preload(queue, 0, events);
                    MachineCpu cpu = MachineCpu.now();
                    rates.add(drain(crt, queue, events, pollers, UnaryOperator.identity()));
                    MachineCpu.Cores used = cpu.since();
                    costs.add(CpuPerMessage.of(used, events));
                    machineCores.add(used.machine());
                    sqs.client().deleteQueue(b -> b.queueUrl(queue));
                }
                PollerRates measured = new PollerRates(pollers, Spread.of(rates), new CpuPerMessage(
                        Spread.of(costs.stream().map(CpuPerMessage::sqsServerMs).toList()).median(),
                        Spread.of(costs.stream().map(CpuPerMessage::restMs).toList()).median()));
                System.err.printf(Locale.ROOT, "drain yardstick, %2d pollers: %s messages/s over %d runs | CPU-ms per"
                        + " message: sqs_server=%.3f pollers=%.3f | machine cores busy: %.2f%n", pollers,
                        measured.rates().format("%.0f"), reps, measured.cpu().sqsServerMs(), measured.cpu().restMs(),
                        Spread.of(machineCores).median());
                byPollers.add(measured);
            }
        }
        return new Yardstick(List.copyOf(byPollers));
    }

    /** The yardstick's client: the SDK's defaults on the CRT HTTP client, with a connection for every call. */
    static SqsAsyncClient yardstickClient(SqsAsyncClientBuilder builder) {
        return builder.httpClientBuilder(AwsCrtAsyncHttpClient.builder().maxConcurrency(CONNECTIONS)).build();
    }

    /**
     * Messages/s from the first receive until the delete that completes the count: the pollers still waiting in a
     * long poll on the empty queue afterwards are not the queue's time. {@code receive} adds to each receive request
     * what a variant asks for beyond ten messages with a long poll of 1 s (attributes, say).
     */
    static double drain(SqsAsyncClient crt, String queueUrl, int expected, int pollers,
            UnaryOperator<ReceiveMessageRequest.Builder> receive) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(pollers);
        AtomicLong drained = new AtomicLong();
        AtomicLong doneNanos = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + DRAIN_TIMEOUT.toNanos();
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < pollers; t++) {
            loops.add(threads.submit(() -> {
                while (drained.get() < expected && System.nanoTime() < deadline) {
                    int count = receiveAndDelete(crt, queueUrl, receive);
                    long total = drained.addAndGet(count);
                    if (total >= expected && total - count < expected) {
                        doneNanos.set(System.nanoTime());
                    }
                }
                return null;
            }));
        }
        for (Future<?> loop : loops) {
            loop.get();
        }
        threads.shutdown();
        if (drained.get() < expected) {
            throw new IllegalStateException(
                    "drained " + drained.get() + " of " + expected + " messages within " + DRAIN_TIMEOUT);
        }
        return expected / ((doneNanos.get() - start) / 1e9);
    }

    /** One receive of up to ten messages and one delete-batch of what came; returns how many came. */
    private static int receiveAndDelete(SqsAsyncClient crt, String queueUrl,
            UnaryOperator<ReceiveMessageRequest.Builder> receive) {
        List<Message> messages = crt.receiveMessage(receive.apply(ReceiveMessageRequest.builder().queueUrl(queueUrl)
                .maxNumberOfMessages(10).waitTimeSeconds(1)).build()).join().messages();
        if (messages.isEmpty()) {
            return 0;
        }
        crt.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(messages.stream()
                .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle())
                        .build())
                .toList())).join();
        return messages.size();
    }
}
