package ai.track.capidispatch.bench;

import ai.track.capidispatch.support.EmbeddedSqs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The yardstick: how fast plain receive-10 + delete-batch loops empty a queue on this SQS server, the fastest of a
 * few set-ups (the SDK's default synchronous client and the CRT client the worker uses, with few and many loops).
 * The worker's throughput is reported as a share of it. The loops share the two cores with the SQS server, like
 * the worker does, so the client's own CPU per call limits them too: with a single set-up the worker, on the
 * cheaper client, once drained faster than the yardstick.
 */
final class DrainRate {

    private DrainRate() {
    }

    /** Each set-up on its own queue of {@code events} messages; prints each rate to stderr. */
    static double fastest(EmbeddedSqs sqs, QueueLoader loader, int events) throws Exception {
        double fastest = 0;
        try (SqsAsyncClient crt = sqs.asyncClientBuilder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder().maxConcurrency(64))
                .build()) {
            record SetUp(String name, int loops, Loop loop) {
            }
            Loop sync = new Loop(r -> sqs.client().receiveMessage(r).messages(),
                    d -> sqs.client().deleteMessageBatch(d));
            Loop async = new Loop(r -> crt.receiveMessage(r).join().messages(), d -> crt.deleteMessageBatch(d).join());
            List<SetUp> setUps = List.of(new SetUp("default synchronous client", 8, sync),
                    new SetUp("CRT client", 8, async), new SetUp("CRT client", 32, async));
            for (SetUp setUp : setUps) {
                String queue = sqs.createQueue("drain-yardstick-" + setUp.name().hashCode() + "-" + setUp.loops(),
                        Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"));
                loader.preload(queue, 0, events);
                double rate = measure(setUp.loop(), queue, events, setUp.loops());
                System.err.printf(Locale.ROOT, "drain rate, %s, %d loops: %.0f/s%n", setUp.name(), setUp.loops(), rate);
                fastest = Math.max(fastest, rate);
            }
        }
        return fastest;
    }

    private static double measure(Loop loop, String queueUrl, int expected, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong drained = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            loops.add(pool.submit(() -> {
                while (drained.get() < expected) {
                    drained.addAndGet(loop.receiveAndDelete(queueUrl));
                }
                return null;
            }));
        }
        for (Future<?> running : loops) {
            running.get();
        }
        pool.shutdown();
        return drained.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** One receive of up to ten messages and one delete-batch of what came; returns how many. */
    private record Loop(Function<ReceiveMessageRequest, List<Message>> receive,
            Function<DeleteMessageBatchRequest, ?> delete) {

        int receiveAndDelete(String queueUrl) {
            List<Message> messages = receive.apply(ReceiveMessageRequest.builder().queueUrl(queueUrl)
                    .maxNumberOfMessages(10).waitTimeSeconds(1).build());
            if (messages.isEmpty()) {
                return 0;
            }
            delete.apply(DeleteMessageBatchRequest.builder().queueUrl(queueUrl).entries(messages.stream()
                    .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId())
                            .receiptHandle(m.receiptHandle()).build())
                    .toList()).build());
            return messages.size();
        }
    }
}
