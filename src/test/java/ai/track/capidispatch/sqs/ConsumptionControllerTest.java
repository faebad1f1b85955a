package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import ai.track.capidispatch.dispatch.ErrorClass;
import io.awspring.cloud.sqs.listener.MessageListenerContainer;
import io.awspring.cloud.sqs.listener.MessageListenerContainerRegistry;
import io.awspring.cloud.sqs.listener.QueueNotFoundStrategy;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.StaticApplicationContext;

class ConsumptionControllerTest {

    private final CountDownLatch stopping = new CountDownLatch(1);
    private final CountDownLatch inFlightSettled = new CountDownLatch(1);
    private final AtomicBoolean stopped = new AtomicBoolean();
    private ConsumptionController controller;

    @AfterEach
    void stopTheControlThread() {
        inFlightSettled.countDown();
        if (controller != null) {
            controller.destroy();
        }
    }

    /**
     * Found by the external fault harness: SIGTERM while the breaker had just paused consumption. The pause's
     * {@code stop()} waits for the messages in flight, but Spring Cloud AWS marks the container stopped as that
     * wait begins, so the context's own stop returned at once, and the SQS client was closed under messages Meta
     * had just accepted: their deletes failed and they were delivered again after the restart.
     */
    @Test
    void closingWaitsUntilAPauseHasStoppedTheListenerSoItsMessagesSettleFirst() throws Exception {
        @SuppressWarnings("unchecked")
        MessageListenerContainer<Object> container = mock(MessageListenerContainer.class);
        doAnswer(invocation -> {
            stopping.countDown();
            inFlightSettled.await(); // as Spring Cloud AWS waits for the messages in flight
            stopped.set(true);
            return null;
        }).when(container).stop();
        MessageListenerContainerRegistry registry = mock(MessageListenerContainerRegistry.class);
        when(registry.getContainerById(ConversionEventListener.LISTENER_ID)).thenAnswer(invocation -> container);
        controller = new ConsumptionController(registry, event -> { }, Clock.systemUTC(), properties());

        controller.pause(ErrorClass.CIRCUIT_OPEN, Duration.ofMinutes(1));
        assertThat(stopping.await(10, TimeUnit.SECONDS)).as("the pause is stopping the listener").isTrue();
        CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(() -> {
            controller.onApplicationEvent(new ContextClosedEvent(new StaticApplicationContext()));
            return stopped.get();
        });
        try {
            closed.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException stillWaiting) {
            // as it should: the messages in flight have not settled yet
        }
        inFlightSettled.countDown(); // the last Meta call of the pause ends, its messages are deleted

        assertThat(closed.get(10, TimeUnit.SECONDS))
                .as("the close went on only once the listener had stopped, its messages settled").isTrue();
    }

    private static SqsWorkerProperties properties() {
        return new SqsWorkerProperties("http://127.0.0.1:1/000000000000/q", "http://127.0.0.1:1/000000000000/dlq",
                QueueNotFoundStrategy.FAIL, 100, null, 10, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(15), Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofMillis(50), Duration.ofMillis(10), SqsWorkerProperties.HttpClient.CRT);
    }
}
