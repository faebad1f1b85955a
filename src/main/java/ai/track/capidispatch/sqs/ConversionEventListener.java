package ai.track.capidispatch.sqs;

import ai.track.capidispatch.dispatch.CapiDispatchService;
import ai.track.capidispatch.dispatch.DispatchOutcome;
import ai.track.capidispatch.dispatch.ErrorClass;
import ai.track.capidispatch.dispatch.IncomingMessage;
import io.awspring.cloud.sqs.annotation.SqsListener;
import io.awspring.cloud.sqs.listener.SqsHeaders;
import io.awspring.cloud.sqs.listener.acknowledgement.Acknowledgement;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.stereotype.Component;

/**
 * Receives each message as a raw string (conversion failures inside Spring Cloud AWS would leak permits and
 * stall the listener; parsing is the dispatch service's job) and maps the outcome to one SQS action:
 * delivered → delete; dead-lettered → write to the DLQ, then delete; retried or held → leave it, so it
 * comes back after its visibility timeout.
 */
@Component
class ConversionEventListener {

    static final String LISTENER_ID = "capi-dispatch";
    private static final Logger log = LoggerFactory.getLogger(ConversionEventListener.class);

    private final CapiDispatchService dispatchService;
    private final DeadLetterWriter deadLetterWriter;

    ConversionEventListener(CapiDispatchService dispatchService, DeadLetterWriter deadLetterWriter,
            SqsWorkerProperties validatedFirst) {
        // SqsWorkerProperties is injected only so it is bound and validated before the @SqsListener placeholder
        // is resolved: a missing SQS_QUEUE_URL then fails start-up with a message naming the variable.
        this.dispatchService = dispatchService;
        this.deadLetterWriter = deadLetterWriter;
    }

    @SqsListener(value = "${capi.sqs.queue-url}", id = LISTENER_ID)
    void onMessage(Message<String> message, Acknowledgement acknowledgement) {
        IncomingMessage incoming = toIncoming(message);
        DispatchOutcome outcome;
        try {
            outcome = dispatchService.dispatch(incoming);
        } catch (RuntimeException bug) {
            // The one broad catch: whatever went wrong, the message stays on the queue. The exception's type
            // and stack are logged, never the body.
            log.atError().addKeyValue("message_id", incoming.messageId()).setCause(bug)
                    .log("Unexpected failure dispatching a message; it stays on the queue");
            outcome = new DispatchOutcome.RetryLater(ErrorClass.TRANSIENT, "unexpected failure", null, null);
        }
        if (outcome instanceof DispatchOutcome.Delivered) {
            acknowledgement.acknowledge();
        } else if (outcome instanceof DispatchOutcome.DeadLetter deadLetter) {
            deadLetter(incoming, deadLetter, acknowledgement);
        } else if (outcome instanceof DispatchOutcome.Held held) {
            log.atError().addKeyValue("message_id", incoming.messageId())
                    .addKeyValue("error_class", held.errorClass().name())
                    .log("Held, not the event's fault: {}", held.reason());
        }
        // RetryLater: nothing to do; the DispatchAttempt line already tells why.
    }

    private void deadLetter(IncomingMessage incoming, DispatchOutcome.DeadLetter outcome,
            Acknowledgement acknowledgement) {
        try {
            deadLetterWriter.write(incoming, outcome);
        } catch (RuntimeException e) {
            log.atError().addKeyValue("message_id", incoming.messageId()).setCause(e)
                    .log("DLQ write failed; the message stays on the main queue");
            return;
        }
        acknowledgement.acknowledge();
    }

    private static IncomingMessage toIncoming(Message<String> message) {
        MessageHeaders headers = message.getHeaders();
        String id = headers.get(SqsHeaders.SQS_RAW_MESSAGE_ID_HEADER, String.class);
        return new IncomingMessage(id == null ? String.valueOf(headers.getId()) : id, message.getPayload(),
                intHeader(headers, SqsHeaders.MessageSystemAttributes.SQS_APPROXIMATE_RECEIVE_COUNT, 1),
                instantHeader(headers, SqsHeaders.MessageSystemAttributes.SQS_SENT_TIMESTAMP));
    }

    private static int intHeader(MessageHeaders headers, String name, int fallback) {
        Object value = headers.get(name);
        try {
            return value == null ? fallback : Integer.parseInt(value.toString());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Instant instantHeader(MessageHeaders headers, String name) {
        Object value = headers.get(name);
        try {
            return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value.toString()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
