package ai.track.capidispatch.bench;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The yardstick: how fast plain receive-10 + delete-batch loops empty a queue on this SQS server. Nothing
 * a worker does can be faster than this, so the worker's throughput is reported as a share of it.
 */
final class DrainRate {

    static double measure(SqsClient sqs, String queueUrl, int expected, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong drained = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> loops = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            loops.add(pool.submit(() -> {
                while (drained.get() < expected) {
                    List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                            .waitTimeSeconds(1)).messages();
                    if (messages.isEmpty()) {
                        continue;
                    }
                    sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(messages.stream()
                            .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId())
                                    .receiptHandle(m.receiptHandle()).build())
                            .toList()));
                    drained.addAndGet(messages.size());
                }
                return null;
            }));
        }
        for (Future<?> loop : loops) {
            loop.get();
        }
        pool.shutdown();
        return drained.get() / ((System.nanoTime() - start) / 1e9);
    }
}
