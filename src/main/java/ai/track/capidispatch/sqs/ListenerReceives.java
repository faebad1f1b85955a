package ai.track.capidispatch.sqs;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The listener's receives, seen from the SQS client it is given (every other call passes straight through):
 * <ul>
 * <li><b>Shutdown.</b> An idle worker has long polls waiting up to {@code poll-timeout} (10 s), and Spring Cloud
 * AWS's stop waits for their permits, so an idle worker took 10 s to stop. On close, receives still waiting after
 * {@link #GRACE} (a receive with a backlog answers in milliseconds, and its messages are processed as usual) are
 * answered empty at once and their calls cancelled; a receive whose answer arrives anyway has its messages made
 * visible again. Receives asked for during the close answer empty. Cancelling a call whose messages SQS had just
 * handed out leaves them invisible until the queue's visibility timeout: late, never lost.</li>
 * <li><b>Outage.</b> When SQS stops answering, every long poll in flight fails at once, and Spring Cloud AWS logs
 * each with a stack trace. Here one WARN line says receives are failing and one INFO line that they work again;
 * the failure reaches Spring Cloud AWS as a {@link ReceiveFailedException} (so its poll back-off works as before),
 * whose own log lines {@link QuietReceiveFailures} drops.</li>
 * </ul>
 */
@Component
class ListenerReceives implements ApplicationListener<ContextClosedEvent> {

    /** How long receives in flight at close may still answer on their own. */
    static final Duration GRACE = Duration.ofMillis(200);
    /** A receive asked for while closing answers empty after this: the polling loop must not spin until it stops. */
    private static final Duration CLOSED_POLL_DELAY = Duration.ofMillis(100);
    private static final Logger log = LoggerFactory.getLogger(ListenerReceives.class);

    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final String queueUrl;
    private volatile boolean closing;
    private volatile SqsAsyncClient client;

    ListenerReceives(SqsWorkerProperties properties) {
        this.queueUrl = properties.queueUrl();
        QuietReceiveFailures.install();
    }

    /** A receive in flight: the SDK's call, and the answer the listener waits for. */
    private record Pending(CompletableFuture<ReceiveMessageResponse> call,
            CompletableFuture<ReceiveMessageResponse> answer) {
    }

    /** The client to give the listener container: {@code client}, with its receives watched. */
    SqsAsyncClient watching(SqsAsyncClient client) {
        this.client = client;
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("receiveMessage") && args != null && args.length == 1) {
                return receive(toRequest(args[0]));
            }
            try {
                return method.invoke(client, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (SqsAsyncClient) Proxy.newProxyInstance(SqsAsyncClient.class.getClassLoader(),
                new Class<?>[] {SqsAsyncClient.class}, handler);
    }

    @SuppressWarnings("unchecked")
    private static ReceiveMessageRequest toRequest(Object argument) {
        if (argument instanceof ReceiveMessageRequest request) {
            return request;
        }
        ReceiveMessageRequest.Builder builder = ReceiveMessageRequest.builder();
        ((Consumer<ReceiveMessageRequest.Builder>) argument).accept(builder);
        return builder.build();
    }

    private CompletableFuture<ReceiveMessageResponse> receive(ReceiveMessageRequest request) {
        if (closing) {
            return CompletableFuture.supplyAsync(ListenerReceives::empty,
                    CompletableFuture.delayedExecutor(CLOSED_POLL_DELAY.toMillis(), TimeUnit.MILLISECONDS));
        }
        CompletableFuture<ReceiveMessageResponse> call = client.receiveMessage(request);
        CompletableFuture<ReceiveMessageResponse> answer = new CompletableFuture<>();
        Pending receive = new Pending(call, answer);
        pending.add(receive);
        call.whenComplete((response, failure) -> {
            pending.remove(receive);
            if (failure != null) {
                failed(failure, answer);
            } else {
                worked();
                if (!answer.complete(response)) {
                    returnToQueue(response.messages()); // answered empty at close meanwhile
                }
            }
        });
        return answer;
    }

    private void failed(Throwable failure, CompletableFuture<ReceiveMessageResponse> answer) {
        if (answer.isDone()) {
            return; // cancelled at close
        }
        String error = SqsErrors.describe(failure);
        if (!closing && failing.compareAndSet(false, true)) {
            log.atWarn().addKeyValue("record", "SqsReceiveFailing").addKeyValue("error", error)
                    .log("SQS receives are failing ({}); polling backs off until SQS answers again", error);
        }
        answer.completeExceptionally(new ReceiveFailedException(error));
    }

    private void worked() {
        if (failing.compareAndSet(true, false)) {
            log.atInfo().addKeyValue("record", "SqsReceiveRecovered").log("SQS receives work again");
        }
    }

    /** Shutdown: see the class comment. */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        closing = true;
        CompletableFuture.delayedExecutor(GRACE.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            for (Pending receive : List.copyOf(pending)) {
                if (receive.answer().complete(empty())) {
                    receive.call().cancel(true);
                }
            }
        });
    }

    /** Messages a receive brought after its answer was given: visible again at once, for another worker. */
    private void returnToQueue(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        for (List<Message> chunk : SqsBatches.of(messages)) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new java.util.ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(String.valueOf(i))
                        .receiptHandle(chunk.get(i).receiptHandle()).visibilityTimeout(0).build());
            }
            client.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
        }
        log.atInfo().addKeyValue("record", "ReturnedAtShutdown").addKeyValue("messages", messages.size())
                .log("Messages received while stopping were made visible again");
    }

    private static ReceiveMessageResponse empty() {
        return ReceiveMessageResponse.builder().messages(List.of()).build();
    }

    /** A failed receive, already logged once; without a stack trace (nothing in it is the worker's). */
    static final class ReceiveFailedException extends RuntimeException {

        ReceiveFailedException(String error) {
            super("SQS receive failed: " + error, null, false, false);
        }
    }
}
