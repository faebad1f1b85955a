package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.listener.MessageListenerContainer;
import io.awspring.cloud.sqs.listener.MessageListenerContainerRegistry;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * DOWN when the queue listener is not running: a task that cannot consume should be replaced (contract §5).
 * Registered as {@code listener}, part of the {@code /health} group that drives the ECS health check.
 */
@Component("listener")
class ListenerHealthIndicator implements HealthIndicator {

    private final MessageListenerContainerRegistry registry;
    private final ConsumptionController consumption;
    private final SqsWorkerProperties properties;

    ListenerHealthIndicator(MessageListenerContainerRegistry registry, ConsumptionController consumption,
            SqsWorkerProperties properties) {
        this.registry = registry;
        this.consumption = consumption;
        this.properties = properties;
    }

    /**
     * A pause the worker chose (open breaker, held) is UP: restarting the task would not fix Meta or a
     * revoked token. Only a listener that stopped by itself is DOWN.
     */
    @Override
    public Health health() {
        MessageListenerContainer<?> container = registry.getContainerById(ConversionEventListener.LISTENER_ID);
        boolean running = container != null && container.isRunning();
        var pause = consumption.currentPause();
        Health.Builder health = (running || pause.isPresent() ? Health.up() : Health.down())
                .withDetail("listener", ConversionEventListener.LISTENER_ID)
                .withDetail("running", running)
                .withDetail("queue", queueName(properties.queueUrl()));
        pause.ifPresent(p -> health.withDetail("pausedFor", p.reason().name())
                .withDetail("pausedUntil", p.until().toString()));
        return health.build();
    }

    /** The queue's name is enough to tell which one; the URL would add the account id. */
    private static String queueName(String queueUrl) {
        return queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }
}
