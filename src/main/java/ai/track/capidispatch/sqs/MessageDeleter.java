package ai.track.capidispatch.sqs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;

/**
 * Deletes settled messages from the queue in SQS batches of ten, gathered across listener calls. A listener call
 * settles one poll's messages, and at a steady trickle a poll brings one or two while a Meta batch settles a
 * hundred at once: deleting per poll cost an SQS call (~1 ms of CPU: signing, HTTP, parsing) per one or two
 * messages, the largest cost of a worker at a steady rate. A message waits at most {@code delete-linger} for
 * nine others; full tens go out at once.
 *
 * <p>A caller's future completes only when SQS has answered for its messages, so a listener call (and a stopping
 * container, which waits for its listener calls) never finishes before its deletes have gone out.
 */
@Component
class MessageDeleter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(MessageDeleter.class);

    private final SqsAsyncClient sqs;
    private final String queueUrl;
    private final Duration linger;
    private final ScheduledExecutorService timer;
    /** Guarded by this; never ten or more. */
    private final List<Pending> pending = new ArrayList<>(SqsBatches.LIMIT);
    /** Guarded by this: a flush of {@link #pending} is scheduled. */
    private boolean flushScheduled;

    MessageDeleter(SqsAsyncClient sqs, SqsWorkerProperties properties) {
        this.sqs = sqs;
        this.queueUrl = properties.queueUrl();
        this.linger = properties.deleteLinger();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sqs-delete-linger");
            thread.setDaemon(true);
            return thread;
        });
    }

    private record Pending(String receiptHandle, CompletableFuture<Void> answered) {
    }

    /**
     * Completes when SQS has answered for every message; never exceptionally. A message SQS did not delete is
     * logged (record {@code AcknowledgementFailed}) and comes back after its visibility timeout; Meta drops the
     * second copy of its event by the same {@code event_id}, so nothing is lost.
     */
    CompletableFuture<Void> delete(List<String> receiptHandles) {
        List<CompletableFuture<Void>> results = new ArrayList<>(receiptHandles.size());
        List<List<Pending>> ready = new ArrayList<>();
        boolean schedule = false;
        synchronized (this) {
            for (String receiptHandle : receiptHandles) {
                Pending entry = new Pending(receiptHandle, new CompletableFuture<>());
                results.add(entry.answered());
                pending.add(entry);
                if (pending.size() == SqsBatches.LIMIT) {
                    ready.add(takePending());
                }
            }
            if (!pending.isEmpty() && !flushScheduled) {
                if (linger.isZero()) {
                    ready.add(takePending());
                } else {
                    flushScheduled = schedule = true;
                }
            }
        }
        if (schedule) {
            scheduleFlush();
        }
        ready.forEach(this::send);
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
    }

    /** Sends what waits now; the context calls it on close, after the listener container has stopped. */
    void flush() {
        List<Pending> ready;
        synchronized (this) {
            flushScheduled = false;
            ready = takePending();
        }
        if (!ready.isEmpty()) {
            send(ready);
        }
    }

    @Override
    public void destroy() {
        timer.shutdown();
        flush();
    }

    private List<Pending> takePending() {
        List<Pending> taken = List.copyOf(pending);
        pending.clear();
        return taken;
    }

    private void scheduleFlush() {
        try {
            timer.schedule(this::flush, linger.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            flush();
        }
    }

    private static void logFailed(int messages, String error) {
        log.atWarn().addKeyValue("record", "AcknowledgementFailed").addKeyValue("messages", messages)
                .addKeyValue("error", error)
                .log("Could not delete delivered messages; they will be redelivered and deduplicated by Meta");
    }

    private void send(List<Pending> batch) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(String.valueOf(i))
                    .receiptHandle(batch.get(i).receiptHandle()).build());
        }
        CompletableFuture<DeleteMessageBatchResponse> call;
        try {
            call = sqs.deleteMessageBatch(request -> request.queueUrl(queueUrl).entries(entries));
        } catch (RuntimeException closed) {
            call = CompletableFuture.failedFuture(closed);
        }
        call.whenComplete((response, failure) -> {
            if (failure != null) {
                logFailed(batch.size(), SqsErrors.describe(failure));
            } else if (response.hasFailed() && !response.failed().isEmpty()) {
                logFailed(response.failed().size(), response.failed().get(0).code());
            }
            batch.forEach(entry -> entry.answered().complete(null));
        });
    }
}
