package ai.track.capidispatch.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** Puts benchmark events on a queue: all at once (preload), or at a steady rate. */
final class QueueLoader {

    private final SqsClient sqs;
    /** Event sequence number → when it was put on the queue (nanoTime). */
    final ConcurrentHashMap<Long, Long> sentAt = new ConcurrentHashMap<>();

    QueueLoader(SqsClient sqs) {
        this.sqs = sqs;
    }

    /** Sends {@code count} events numbered from {@code first}, with 8 threads of SendMessageBatch. */
    void preload(String queueUrl, long first, int count) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (long start = first; start < first + count; start += 10) {
            long from = start;
            int size = (int) Math.min(10, first + count - start);
            work.add(threads.submit(() -> sendBatch(queueUrl, from, size)));
        }
        for (Future<?> future : work) {
            future.get();
        }
        threads.shutdown();
    }

    /** Sends {@code perSecond} events each second for {@code seconds}, in batches of ten spread over the second. */
    void steady(String queueUrl, long first, int perSecond, int seconds) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * 10 / perSecond;
        long start = System.nanoTime();
        long total = (long) perSecond * seconds;
        List<Future<?>> work = new ArrayList<>();
        for (long sent = 0; sent < total; sent += 10) {
            long due = start + (sent / 10) * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            long from = first + sent;
            int size = (int) Math.min(10, total - sent);
            work.add(threads.submit(() -> sendBatch(queueUrl, from, size)));
        }
        for (Future<?> future : work) {
            future.get();
        }
        threads.shutdown();
    }

    private void sendBatch(String queueUrl, long from, int size) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(size);
        long epochSeconds = System.currentTimeMillis() / 1000;
        for (long sequence = from; sequence < from + size; sequence++) {
            entries.add(SendMessageBatchRequestEntry.builder().id("m" + sequence).messageBody(body(sequence, epochSeconds))
                    .build());
        }
        long now = System.nanoTime();
        for (long sequence = from; sequence < from + size; sequence++) {
            sentAt.put(sequence, now);
        }
        sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
    }

    /** A realistic website purchase: raw email and phone to normalize and hash, URL, user agent, cart. */
    static String body(long sequence, long epochSeconds) {
        return """
                {"pixel_id":"123456789012345","event":{"event_name":"Purchase","event_time":%d,"event_id":"ev-%d",\
                "action_source":"website","event_source_url":"https://shop.example.com/checkout/done?order=%d",\
                "user_data":{"em":["Customer.%d@Example.com"],"ph":["+1 (555) %07d"],"fn":"Joe","ln":"Doe",\
                "ct":"New York","st":"NY","zp":"10001","country":"US","external_id":"crm-%d",\
                "client_ip_address":"203.0.113.7","client_user_agent":"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",\
                "fbp":"fb.1.1764287000000.%d"},\
                "custom_data":{"value":49.99,"currency":"USD","content_ids":["sku-1","sku-2"],"num_items":2}}}"""
                .formatted(epochSeconds, sequence, sequence, sequence, sequence % 10_000_000, sequence, sequence);
    }
}
