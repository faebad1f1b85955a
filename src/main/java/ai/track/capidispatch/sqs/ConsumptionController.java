package ai.track.capidispatch.sqs;

import ai.track.capidispatch.dispatch.ErrorClass;
import io.awspring.cloud.sqs.listener.MessageListenerContainer;
import io.awspring.cloud.sqs.listener.MessageListenerContainerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * Stops receiving while sending is pointless — the circuit breaker is open, or the worker is held (token,
 * permissions, retired API version) — so messages stay on the queue with their receive counts intact instead
 * of cycling through the worker, and nothing reaches the DLQ because of someone else's outage. Spring Cloud
 * AWS has no pause: the container is stopped and started, on a thread of its own (never a listener thread,
 * which {@code stop()} would wait for). After the pause it starts again by itself; the next messages are the
 * probe, and a failing probe pauses again.
 */
@Component
class ConsumptionController implements ApplicationListener<ContextClosedEvent>, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ConsumptionController.class);

    /** Why and until when consumption is paused. */
    record Pause(ErrorClass reason, Instant until) {
    }

    private final MessageListenerContainerRegistry registry;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Duration maxPause;
    /** How long a close waits for a pause that is stopping the container. */
    private final Duration stopWait;
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "consumption-control");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Pause pause;
    private volatile boolean refusingTraffic;
    private volatile boolean closing;
    /** Pauses since the last delivery: each one doubles the next, so a long outage costs few receives. */
    private int consecutivePauses;

    ConsumptionController(MessageListenerContainerRegistry registry, ApplicationEventPublisher events, Clock clock,
            SqsWorkerProperties properties) {
        this.registry = registry;
        this.events = events;
        this.clock = clock;
        this.maxPause = properties.maxPause();
        // The listener's wait for messages in flight, plus its acknowledgement flush (3 s) and a margin.
        this.stopWait = properties.listenerShutdownTimeout().plusSeconds(5);
    }

    /**
     * Pauses consumption, unless it is already paused. The first pause after a delivery lasts
     * {@code minimum}; each further one without a delivery in between twice as long, up to
     * {@code maxPause}: every probe receives messages again, and their receive counts are what the queue's
     * redrive policy counts.
     *
     * @return how long consumption stays paused (the current pause if one is running)
     */
    Duration pause(ErrorClass reason, Duration minimum) {
        Duration duration;
        synchronized (this) {
            if (pause != null) {
                return Duration.between(clock.instant(), pause.until()).isNegative() ? minimum
                        : Duration.between(clock.instant(), pause.until());
            }
            if (closing) {
                return minimum;
            }
            duration = minimum.multipliedBy(1L << Math.min(consecutivePauses, 20));
            if (duration.compareTo(maxPause) > 0) {
                duration = maxPause.compareTo(minimum) > 0 ? maxPause : minimum;
            }
            consecutivePauses++;
            pause = new Pause(reason, clock.instant().plus(duration));
        }
        boolean held = reason != ErrorClass.CIRCUIT_OPEN;
        var line = held ? log.atError() : log.atWarn();
        line.addKeyValue("record", "ConsumptionPaused").addKeyValue("reason", reason.name())
                .addKeyValue("pause_seconds", duration.toSeconds())
                .log(held ? "Held: not the events' fault; consumption paused until an operator fixes it"
                        : "Circuit breaker open: consumption paused while Meta recovers");
        if (held && !refusingTraffic) {
            refusingTraffic = true;
            AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        }
        control.execute(() -> container().ifPresent(MessageListenerContainer::stop));
        control.schedule(this::resume, duration.toMillis(), TimeUnit.MILLISECONDS);
        return duration;
    }

    /** A delivery proves sending works again. */
    void delivered() {
        synchronized (this) {
            consecutivePauses = 0;
        }
        if (refusingTraffic) {
            refusingTraffic = false;
            AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
            log.atInfo().addKeyValue("record", "ConsumptionRecovered").log("Delivering again; ready");
        }
    }

    Optional<Pause> currentPause() {
        return Optional.ofNullable(pause);
    }

    private void resume() {
        if (closing) {
            return;
        }
        Pause ended = pause;
        container().ifPresent(MessageListenerContainer::start);
        pause = null;
        log.atInfo().addKeyValue("record", "ConsumptionResumed")
                .addKeyValue("reason", ended == null ? null : ended.reason().name())
                .log("Consumption resumed; the next messages probe whether sending works");
    }

    private Optional<MessageListenerContainer<?>> container() {
        return Optional.ofNullable(registry.getContainerById(ConversionEventListener.LISTENER_ID));
    }

    /**
     * Shutdown: no pause or resume from here on, and the close goes on only once a pause that is stopping the
     * container right now has stopped it. That stop waits for the messages in flight, but Spring Cloud AWS marks
     * the container stopped as the wait begins, so the context's own stop would return at once and close the SQS
     * client under messages Meta has just accepted: their deletes would fail and they would be sent again.
     * Control tasks run one at a time, so an empty one runs when the current one is done.
     */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        closing = true;
        try {
            control.submit(() -> { }).get(stopWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // The pause's stop is bounded by the listener's shutdown timeout; past it, the close goes on as before.
        }
    }

    @Override
    public void destroy() {
        control.shutdownNow();
    }
}
