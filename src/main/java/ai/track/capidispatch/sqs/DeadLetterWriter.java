package ai.track.capidispatch.sqs;

import ai.track.capidispatch.dispatch.DispatchOutcome;
import ai.track.capidispatch.dispatch.MetaError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Copies messages to {@code SQS_DLQ_URL}: the original body unchanged, the reason as {@code capi-*} message
 * attributes (contract §4). It answers which copies SQS confirmed; the caller deletes only those originals,
 * so a failed write leaves its message where it was.
 */
@Component
class DeadLetterWriter {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);
    /** SQS allows 256 KiB of attributes; a reason longer than this is not read by anyone anyway. */
    private static final int MAX_REASON_LENGTH = 1024;

    private final SqsAsyncClient sqs;
    private final SqsWorkerProperties properties;

    DeadLetterWriter(SqsAsyncClient sqs, SqsWorkerProperties properties) {
        this.sqs = sqs;
        this.properties = properties;
    }

    /** Completes with the messages whose copy SQS confirmed; never completes exceptionally. */
    CompletableFuture<List<ReceivedMessage>> write(List<ReceivedMessage> deadLetters) {
        List<CompletableFuture<List<ReceivedMessage>>> chunks = new ArrayList<>();
        List<Copy> copies = deadLetters.stream().map(Copy::of).toList();
        // Split by size too: one message near SQS's 1 MiB in a batch with others had the whole batch refused,
        // at every redelivery, so none of them ever reached the DLQ.
        for (List<Copy> chunk : SqsBatches.of(copies, Copy::bytes, SqsBatches.MAX_SEND_BYTES)) {
            chunks.add(writeChunk(chunk));
        }
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new))
                .thenApply(done -> chunks.stream().flatMap(chunk -> chunk.join().stream()).toList());
    }

    /**
     * A dead letter's copy for the DLQ: its body and the {@code capi-*} attributes that say why, built once.
     *
     * @param shortened whether the attributes had to be cut to fit SQS's limit (see {@link #of})
     */
    record Copy(ReceivedMessage message, Map<String, MessageAttributeValue> attributes, boolean shortened) {

        /** The attributes that say the most in the fewest bytes, kept longest when the body leaves little room. */
        private static final List<String> ESSENTIAL = List.of("capi-error-class", "capi-error-code",
                "capi-attempts", "capi-source-message-id");
        /** Shorter than this, a reason no longer says anything: the essential attributes go alone instead. */
        private static final int SHORTEST_REASON = 40;

        /**
         * SQS counts the attributes toward its 1 MiB with the body, so a body near 1 MiB leaves no room for all of
         * them; the copy would be refused at every receive, and the message would reach the DLQ only through the
         * queue's redrive policy, with no reason at all. So the attributes shrink until the copy fits, losing as
         * little as possible: first the reason is cut, then only the essential attributes stay, then the error class
         * alone, and for a body that fills the whole 1 MiB, none. The body is never changed, and the dead letter's
         * log line carries the reason as the attribute would have, the DLQ copy's message id, and
         * {@code attributes_shortened}.
         */
        static Copy of(ReceivedMessage message) {
            Map<String, MessageAttributeValue> all = DeadLetterWriter.attributes(message);
            long room = SqsBatches.MAX_SEND_BYTES - SqsBatches.utf8Length(message.incoming().body());
            if (SqsBatches.attributeBytes(all) <= room) {
                return new Copy(message, all, false);
            }
            MessageAttributeValue reason = all.get("capi-error-message");
            if (reason != null) {
                long left = room - (SqsBatches.attributeBytes(all) - SqsBatches.utf8Length(reason.stringValue()));
                String cut = cutToBytes(reason.stringValue(), left - 3);
                if (cut.length() >= SHORTEST_REASON) {
                    Map<String, MessageAttributeValue> withCutReason = new LinkedHashMap<>(all);
                    put(withCutReason, "capi-error-message", cut + "…");
                    if (SqsBatches.attributeBytes(withCutReason) <= room) {
                        return new Copy(message, withCutReason, true);
                    }
                }
            }
            Map<String, MessageAttributeValue> essential = new LinkedHashMap<>();
            ESSENTIAL.forEach(name -> {
                if (all.containsKey(name)) {
                    essential.put(name, all.get(name));
                }
            });
            if (SqsBatches.attributeBytes(essential) <= room) {
                return new Copy(message, essential, true);
            }
            Map<String, MessageAttributeValue> errorClass = Map.of("capi-error-class", all.get("capi-error-class"));
            return new Copy(message, SqsBatches.attributeBytes(errorClass) <= room ? errorClass : Map.of(), true);
        }

        /** What SQS counts toward a send's 1 MiB: the body and each attribute's name, type and value, in UTF-8. */
        long bytes() {
            return SqsBatches.sendBytes(message.incoming().body(), attributes);
        }

        /** The longest start of {@code text} of at most {@code maxBytes} UTF-8 bytes (reasons are mostly ASCII). */
        private static String cutToBytes(String text, long maxBytes) {
            int end = (int) Math.max(0, Math.min(text.length(), maxBytes));
            while (end > 0 && SqsBatches.utf8Length(text.substring(0, end)) > maxBytes) {
                end--;
            }
            return text.substring(0, end);
        }
    }

    private CompletableFuture<List<ReceivedMessage>> writeChunk(List<Copy> chunk) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            Copy copy = chunk.get(i);
            entries.add(SendMessageBatchRequestEntry.builder()
                    .id(String.valueOf(i))
                    .messageBody(copy.message().incoming().body())
                    .messageAttributes(copy.attributes())
                    .build());
        }
        return sqs.sendMessageBatch(b -> b.queueUrl(properties.dlqUrl()).entries(entries))
                .orTimeout(properties.deadLetterTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> confirmed(chunk, response, failure));
    }

    private List<ReceivedMessage> confirmed(List<Copy> copies, SendMessageBatchResponse response,
            Throwable failure) {
        List<ReceivedMessage> chunk = copies.stream().map(Copy::message).toList();
        if (failure != null) {
            log.atError().addKeyValue("record", "DeadLetterWriteFailed").addKeyValue("messages", chunk.size())
                    .addKeyValue("error", SqsErrors.describe(failure))
                    .log("DLQ write failed; the messages stay on the main queue");
            return List.of();
        }
        Set<String> failedIds = response.failed().stream().map(f -> f.id()).collect(Collectors.toSet());
        Map<String, String> dlqMessageIds = response.successful().stream()
                .collect(Collectors.toMap(entry -> entry.id(), entry -> entry.messageId(), (a, b) -> a));
        List<ReceivedMessage> written = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            ReceivedMessage message = chunk.get(i);
            DispatchOutcome.DeadLetter outcome = (DispatchOutcome.DeadLetter) message.outcome();
            if (failedIds.contains(String.valueOf(i))) {
                log.atError().addKeyValue("record", "DeadLetterWriteFailed")
                        .addKeyValue("message_id", message.incoming().messageId())
                        .log("DLQ refused the copy; the message stays on the main queue");
                continue;
            }
            written.add(message);
            var line = log.atWarn().addKeyValue("record", "DeadLettered")
                    .addKeyValue("message_id", message.incoming().messageId())
                    .addKeyValue("dlq_message_id", dlqMessageIds.get(String.valueOf(i)))
                    .addKeyValue("error_class", outcome.errorClass().name())
                    .addKeyValue("attempts", message.incoming().attempt());
            if (copies.get(i).shortened()) {
                line = line.addKeyValue("attributes_shortened", true);
            }
            line.log("Dead-lettered: {}", truncate(outcome.reason()));
        }
        return written;
    }

    private static Map<String, MessageAttributeValue> attributes(ReceivedMessage message) {
        DispatchOutcome.DeadLetter outcome = (DispatchOutcome.DeadLetter) message.outcome();
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        put(attributes, "capi-error-class", outcome.errorClass().name());
        put(attributes, "capi-error-message", truncate(outcome.reason()));
        MetaError error = outcome.metaError();
        if (error != null) {
            putNumber(attributes, "capi-error-code", error.code());
            putNumber(attributes, "capi-error-subcode", error.subcode());
            put(attributes, "capi-fbtrace-id", error.fbtraceId());
        }
        putNumber(attributes, "capi-attempts", message.incoming().attempt());
        put(attributes, "capi-source-message-id", message.incoming().messageId());
        return attributes;
    }

    private static void put(Map<String, MessageAttributeValue> attributes, String name, String value) {
        if (value != null && !value.isEmpty()) {
            attributes.put(name, MessageAttributeValue.builder().dataType("String").stringValue(value).build());
        }
    }

    private static void putNumber(Map<String, MessageAttributeValue> attributes, String name, Integer value) {
        if (value != null) {
            attributes.put(name, MessageAttributeValue.builder().dataType("Number").stringValue(value.toString())
                    .build());
        }
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= MAX_REASON_LENGTH ? reason
                : reason.substring(0, MAX_REASON_LENGTH) + "…";
    }
}
