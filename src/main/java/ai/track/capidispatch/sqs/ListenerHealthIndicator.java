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
    private final SqsWorkerProperties properties;

    ListenerHealthIndicator(MessageListenerContainerRegistry registry, SqsWorkerProperties properties) {
        this.registry = registry;
        this.properties = properties;
    }

    @Override
    public Health health() {
        MessageListenerContainer<?> container = registry.getContainerById(ConversionEventListener.LISTENER_ID);
        boolean running = container != null && container.isRunning();
        return (running ? Health.up() : Health.down())
                .withDetail("listener", ConversionEventListener.LISTENER_ID)
                .withDetail("running", running)
                .withDetail("queue", queueName(properties.queueUrl()))
                .build();
    }

    /** The queue's name is enough to tell which one; the URL would add the account id. */
    private static String queueName(String queueUrl) {
        return queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }
}
