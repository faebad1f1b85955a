package ai.track.capidispatch.sqs;

import ai.track.capidispatch.dispatch.CapiDispatchService;
import ai.track.capidispatch.dispatch.DispatchOutcome;
import ai.track.capidispatch.dispatch.ErrorClass;
import ai.track.capidispatch.dispatch.IncomingMessage;
import io.awspring.cloud.sqs.annotation.SqsListener;
import io.awspring.cloud.sqs.listener.SqsHeaders;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.task.TaskExecutor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Receives messages as raw strings, a poll at a time (conversion failures inside Spring Cloud AWS would leak
 * permits and stall the listener; parsing is the dispatch service's job), hands each to the dispatch service
 * and, once every outcome of the poll is known, lets {@link OutcomeSettler} act on them together. The listener's
 * future completes once SQS has answered those actions; until then the poll's messages count against
 * {@code max-concurrent-messages} and hold their bytes in the {@link InFlightBudget}. A message is parsed only once
 * the budget has room for what parsing and sending it costs; until then it waits, received, in the order it came.
 */
@Component
class ConversionEventListener implements ApplicationListener<ContextClosedEvent> {

    static final String LISTENER_ID = "capi-dispatch";
    private static final Logger log = LoggerFactory.getLogger(ConversionEventListener.class);

    private final CapiDispatchService dispatchService;
    private final OutcomeSettler settler;
    private final InFlightBudget budget;
    /** Where a message that waited for room is parsed: not the thread whose release made the room. */
    private final Executor admittedExecutor;

    ConversionEventListener(CapiDispatchService dispatchService, OutcomeSettler settler, InFlightBudget budget,
            TaskExecutor sqsListenerTaskExecutor, SqsWorkerProperties validatedFirst) {
        // SqsWorkerProperties is injected only so it is bound and validated before the @SqsListener placeholder
        // is resolved: a missing SQS_QUEUE_URL then fails start-up with a message naming the variable.
        this.dispatchService = dispatchService;
        this.settler = settler;
        this.budget = budget;
        this.admittedExecutor = sqsListenerTaskExecutor;
    }

    @SqsListener(value = "${capi.sqs.queue-url}", id = LISTENER_ID)
    CompletableFuture<Void> onMessages(List<Message<String>> messages) {
        List<IncomingMessage> incoming = new ArrayList<>(messages.size());
        List<String> bodies = new ArrayList<>(messages.size());
        for (Message<String> message : messages) {
            IncomingMessage one = toIncoming(message);
            incoming.add(one);
            bodies.add(one.body());
        }
        long held = budget.received(bodies);
        List<CompletableFuture<ReceivedMessage>> received = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            Message<String> message = messages.get(i);
            IncomingMessage one = incoming.get(i);
            received.add(admitted(one).thenApply(outcome -> new ReceivedMessage(message, one, outcome)));
        }
        return CompletableFuture.allOf(received.toArray(CompletableFuture[]::new))
                .thenCompose(all -> settler.settle(received.stream().map(CompletableFuture::join).toList()))
                .whenComplete((settled, failure) -> budget.release(held));
    }

    /**
     * Dispatches the message once the budget has room for it; its dispatch bytes are free again with its outcome. A
     * message still waiting when the worker stops is not started: it goes back to the queue at once, so the stop
     * waits only for the messages already being sent.
     */
    private CompletableFuture<DispatchOutcome> admitted(IncomingMessage incoming) {
        long bytes = MessageFootprint.dispatching(incoming.body());
        CompletableFuture<Boolean> admission = budget.admitToDispatch(bytes);
        CompletableFuture<DispatchOutcome> outcome = admission.isDone() ? dispatchIf(admission.join(), incoming)
                : admission.thenComposeAsync(admitted -> dispatchIf(admitted, incoming), admittedExecutor)
                        .exceptionally(rejected -> unexpected(incoming, rejected)); // the executor is shut down
        return outcome.whenComplete((done, failure) -> {
            if (admission.join()) {
                budget.releaseDispatching(bytes);
            }
        });
    }

    private CompletableFuture<DispatchOutcome> dispatchIf(boolean admitted, IncomingMessage incoming) {
        return admitted ? dispatch(incoming) : CompletableFuture.completedFuture(new DispatchOutcome.NotStarted());
    }

    /** Stopping: messages waiting for room are not started ({@link #admitted}). */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        budget.stopAdmitting();
    }

    /** The one broad catch: whatever went wrong, the message stays on the queue; the body is never logged. */
    private CompletableFuture<DispatchOutcome> dispatch(IncomingMessage incoming) {
        CompletableFuture<DispatchOutcome> outcome;
        try {
            outcome = dispatchService.dispatch(incoming);
        } catch (RuntimeException bug) {
            outcome = CompletableFuture.failedFuture(bug);
        }
        return outcome.exceptionally(bug -> unexpected(incoming, bug));
    }

    private static DispatchOutcome unexpected(IncomingMessage incoming, Throwable bug) {
        log.atError().addKeyValue("message_id", incoming.messageId()).setCause(bug)
                .log("Unexpected failure dispatching a message; it stays on the queue");
        return new DispatchOutcome.RetryLater(ErrorClass.TRANSIENT, "unexpected failure", null, null);
    }

    /**
     * The attempt is one more than the failed attempts a retry copy carries ({@link RetryCopies}); a message without
     * them is on its first. A copy's event was sent when its first message was, not when the copy was.
     */
    private static IncomingMessage toIncoming(Message<String> message) {
        MessageHeaders headers = message.getHeaders();
        String id = headers.get(SqsHeaders.SQS_RAW_MESSAGE_ID_HEADER, String.class);
        Map<String, MessageAttributeValue> attributes = headers.get(SqsHeaders.SQS_SOURCE_DATA_HEADER)
                instanceof software.amazon.awssdk.services.sqs.model.Message source && source.hasMessageAttributes()
                        ? source.messageAttributes() : Map.of();
        Long failedAttempts = number(attributes.get(RetryCopies.ATTEMPTS));
        Long firstSentAt = number(attributes.get(RetryCopies.FIRST_SENT_AT));
        Long sentAt = firstSentAt != null ? firstSentAt
                : number(headers.get(SqsHeaders.MessageSystemAttributes.SQS_SENT_TIMESTAMP));
        int attempt = failedAttempts == null || failedAttempts < 0 ? 1
                : (int) Math.min(Integer.MAX_VALUE - 1, failedAttempts) + 1;
        return new IncomingMessage(id == null ? String.valueOf(headers.getId()) : id, message.getPayload(), attempt,
                sentAt == null ? null : Instant.ofEpochMilli(sentAt));
    }

    private static Long number(Object value) {
        Object text = value instanceof MessageAttributeValue attribute ? attribute.stringValue() : value;
        try {
            return text == null ? null : Long.valueOf(text.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
