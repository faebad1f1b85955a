package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.listener.SqsHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Puts a message whose attempt failed for a retryable reason back on the main queue as a <b>delayed copy that
 * counts its attempts</b> ({@code capi-attempts}), instead of making the original visible again later. SQS only
 * counts receives, and a receive that ends without an attempt (held by a pause, returned at shutdown, a task
 * killed) would use up the attempt limit for nothing; a copy carries the count of real failed attempts, and
 * receives that were not attempts leave it as it was. The copy is the original body and message attributes
 * unchanged, plus {@code capi-attempts} and {@code capi-first-sent-at} (when the producer sent the event, for the
 * event-age metric), sent with the backoff as {@code DelaySeconds}.
 *
 * <p>Write, then delete: the caller deletes the original only once SQS confirmed its copy, so a failed send loses
 * nothing (and a failed delete only sends the event twice, with one {@code event_id}, which Meta deduplicates). A
 * retry that cannot be a copy stays the original, delayed by its visibility timeout as before, and that attempt
 * goes uncounted: a delay longer than SQS's 15-minute {@code DelaySeconds} (a long {@code Retry-After}), a message
 * too large for the two attributes beside it, or a copy SQS refused. The queue's redrive policy ({@code
 * maxReceiveCount}) stays the backstop for those. Needs {@code sqs:SendMessage} on the main queue.
 */
@Component
class RetryCopies {

    static final String ATTEMPTS = "capi-attempts";
    static final String FIRST_SENT_AT = "capi-first-sent-at";
    /** SQS's longest {@code DelaySeconds}. */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);
    private static final Logger log = LoggerFactory.getLogger(RetryCopies.class);

    private final SqsAsyncClient sqs;
    private final SqsWorkerProperties properties;

    RetryCopies(SqsAsyncClient sqs, SqsWorkerProperties properties) {
        this.sqs = sqs;
        this.properties = properties;
    }

    /** A retry's copy, built once: for sizing and for sending. */
    record Copy(VisibilityChanger.Delay retry, Map<String, MessageAttributeValue> attributes, long bytes) {
    }

    /** The copy of {@code retry}, or {@code null} when it has to stay the original (see the class comment). */
    static Copy copyOf(VisibilityChanger.Delay retry) {
        if (retry.delay().compareTo(MAX_DELAY) > 0) {
            return null;
        }
        ReceivedMessage message = retry.message();
        Map<String, MessageAttributeValue> attributes = new HashMap<>(producerAttributes(message));
        attributes.put(ATTEMPTS, number(message.incoming().attempt()));
        Instant sentAt = message.incoming().sentAt();
        if (sentAt != null) {
            attributes.put(FIRST_SENT_AT, number(sentAt.toEpochMilli()));
        }
        long bytes = SqsBatches.sendBytes(message.incoming().body(), attributes);
        return bytes <= SqsBatches.MAX_SEND_BYTES ? new Copy(retry, attributes, bytes) : null;
    }

    /**
     * Sends the copies; completes with the retries whose copy SQS confirmed, whose originals the caller deletes.
     * Never completes exceptionally: a copy that failed leaves its original to the caller, to be delayed as before.
     */
    CompletableFuture<List<VisibilityChanger.Delay>> send(List<Copy> copies) {
        List<CompletableFuture<List<VisibilityChanger.Delay>>> chunks = new ArrayList<>();
        for (List<Copy> chunk : SqsBatches.of(copies, Copy::bytes, SqsBatches.MAX_SEND_BYTES)) {
            chunks.add(sendChunk(chunk));
        }
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new))
                .thenApply(done -> chunks.stream().flatMap(chunk -> chunk.join().stream()).toList());
    }

    private CompletableFuture<List<VisibilityChanger.Delay>> sendChunk(List<Copy> chunk) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            Copy copy = chunk.get(i);
            entries.add(SendMessageBatchRequestEntry.builder().id(String.valueOf(i))
                    .messageBody(copy.retry().message().incoming().body())
                    .messageAttributes(copy.attributes())
                    .delaySeconds(VisibilityChanger.visibilityTimeoutSeconds(copy.retry().delay()))
                    .build());
        }
        return sqs.sendMessageBatch(b -> b.queueUrl(properties.queueUrl()).entries(entries))
                .handle((response, failure) -> {
                    if (failure != null) {
                        log.atWarn().addKeyValue("record", "RetryCopyFailed").addKeyValue("messages", chunk.size())
                                .addKeyValue("error", SqsErrors.describe(failure))
                                .log("Could not re-queue retries as copies; the originals are delayed instead");
                        return List.of();
                    }
                    Set<String> failed = response.failed().stream().map(entry -> entry.id())
                            .collect(Collectors.toSet());
                    if (!failed.isEmpty()) {
                        log.atWarn().addKeyValue("record", "RetryCopyFailed").addKeyValue("messages", failed.size())
                                .log("SQS refused some retry copies; their originals are delayed instead");
                    }
                    List<VisibilityChanger.Delay> confirmed = new ArrayList<>(chunk.size());
                    for (int i = 0; i < chunk.size(); i++) {
                        if (!failed.contains(String.valueOf(i))) {
                            confirmed.add(chunk.get(i).retry());
                        }
                    }
                    return confirmed;
                });
    }

    /** The producer's own message attributes, without the worker's from an earlier attempt. */
    private static Map<String, MessageAttributeValue> producerAttributes(ReceivedMessage message) {
        Object source = message.message().getHeaders().get(SqsHeaders.SQS_SOURCE_DATA_HEADER);
        if (!(source instanceof Message sqsMessage) || !sqsMessage.hasMessageAttributes()) {
            return Map.of();
        }
        Map<String, MessageAttributeValue> attributes = new HashMap<>(sqsMessage.messageAttributes());
        attributes.keySet().removeIf(name -> name.startsWith("capi-"));
        return attributes;
    }

    private static MessageAttributeValue number(long value) {
        return MessageAttributeValue.builder().dataType("Number").stringValue(Long.toString(value)).build();
    }
}
