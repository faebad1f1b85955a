package ai.track.capidispatch.sqs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;

/**
 * Puts messages back on the queue for later: each becomes visible again after its own delay (the retry
 * backoff, or the hold), instead of after the queue's visibility timeout. Needs
 * {@code sqs:ChangeMessageVisibility}.
 */
@Component
class VisibilityChanger {

    private static final Logger log = LoggerFactory.getLogger(VisibilityChanger.class);
    /** SQS's limit for a visibility timeout: 12 hours. */
    private static final int MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

    private final SqsAsyncClient sqs;
    private final SqsWorkerProperties properties;

    VisibilityChanger(SqsAsyncClient sqs, SqsWorkerProperties properties) {
        this.sqs = sqs;
        this.properties = properties;
    }

    record Delay(ReceivedMessage message, Duration delay) {
    }

    /**
     * Never completes exceptionally: when a change fails the message simply returns after the queue's own
     * visibility timeout, which loses nothing.
     */
    CompletableFuture<Void> delay(List<Delay> delays) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (List<Delay> chunk : SqsBatches.of(delays)) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                        .id(String.valueOf(i))
                        .receiptHandle(chunk.get(i).message().receiptHandle())
                        .visibilityTimeout(visibilityTimeoutSeconds(chunk.get(i).delay()))
                        .build());
            }
            calls.add(sqs.changeMessageVisibilityBatch(b -> b.queueUrl(properties.queueUrl()).entries(entries))
                    .handle((response, failure) -> {
                        if (failure != null || response.hasFailed() && !response.failed().isEmpty()) {
                            log.atWarn().addKeyValue("record", "VisibilityChangeFailed")
                                    .addKeyValue("messages", entries.size())
                                    .log("Could not delay messages; they return after the queue's visibility timeout");
                        }
                        return null;
                    }));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    /**
     * SQS takes whole seconds. Rounded up, never down: a delay is a floor (Meta's {@code Retry-After}, the
     * backoff), and a sub-second delay rounded down would be 0, an immediate redelivery. At most SQS's 12 hours.
     */
    static int visibilityTimeoutSeconds(Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            return 0;
        }
        long seconds = delay.toSeconds() + (delay.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.min(seconds, MAX_VISIBILITY_TIMEOUT_SECONDS);
    }
}
