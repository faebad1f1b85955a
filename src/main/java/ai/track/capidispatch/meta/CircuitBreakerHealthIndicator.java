package ai.track.capidispatch.meta;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The Meta circuit breaker's state as a detail of {@code /actuator/health}. Always UP: an open breaker means
 * Meta is failing, and restarting the task would fix nothing (contract §5). It is not part of the
 * {@code /health} group; the {@code CircuitBreakerState} metric is what alarms watch.
 */
@Component("metaCircuitBreaker")
class CircuitBreakerHealthIndicator implements HealthIndicator {

    private final CircuitBreaker breaker;

    CircuitBreakerHealthIndicator(CircuitBreakerRegistry breakers) {
        this.breaker = MetaGatewayConfiguration.metaCircuitBreaker(breakers);
    }

    @Override
    public Health health() {
        CircuitBreaker.Metrics metrics = breaker.getMetrics();
        return Health.up()
                .withDetail("state", breaker.getState().name())
                .withDetail("failureRatePercent", metrics.getFailureRate())
                .withDetail("bufferedCalls", metrics.getNumberOfBufferedCalls())
                .withDetail("notPermittedCalls", metrics.getNumberOfNotPermittedCalls())
                .build();
    }
}
