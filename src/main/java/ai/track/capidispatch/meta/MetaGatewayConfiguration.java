package ai.track.capidispatch.meta;

import ai.track.capidispatch.credentials.CredentialsProperties;
import ai.track.capidispatch.credentials.CredentialsProvider;
import ai.track.capidispatch.dispatch.ConversionsGateway;
import ai.track.capidispatch.dispatch.DispatchMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MetaApiProperties.class)
class MetaGatewayConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MetaGatewayConfiguration.class);

    /** One client for the process: each OkHttpClient owns its connection pool and threads. */
    @Bean
    OkHttpClient metaHttpClient(MetaApiProperties properties) {
        return new OkHttpClient.Builder()
                .connectTimeout(properties.connectTimeout())
                .readTimeout(properties.readTimeout())
                .writeTimeout(properties.readTimeout())
                .callTimeout(properties.callTimeout())
                .retryOnConnectionFailure(false) // retries are the queue's job, with the same event_id
                .followRedirects(false) // events go to the configured Graph URL and nowhere else
                .build();
    }

    @Bean
    ConversionsGateway conversionsGateway(MetaApiProperties properties, CredentialsProperties credentialsProperties,
            ObjectProvider<OkHttpClient> client, CredentialsProvider credentials, JsonMapper jsonMapper,
            CircuitBreakerRegistry breakers, DispatchMetrics metrics, Clock clock) {
        if (properties.dryRun() || !credentialsProperties.canSend()) {
            log.atWarn().log("Dry run: events are validated and hashed but NOT sent to Meta"
                    + (properties.dryRun() ? " (META_DRY_RUN=true)" : " (no META_ACCESS_TOKEN in the local profile)"));
            return new DryRunConversionsGateway();
        }
        return new OkHttpConversionsGateway(client.getObject(), properties, credentials,
                new MetaRequestWriter(jsonMapper), new MetaResponseClassifier(jsonMapper), metaCircuitBreaker(breakers),
                new DispatchAttemptLog(), metrics, clock);
    }

    static CircuitBreaker metaCircuitBreaker(CircuitBreakerRegistry breakers) {
        return breakers.circuitBreaker("meta");
    }

    /**
     * The contract's {@code CircuitBreakerState}: 0 closed, 1 open, 2 half-open (3 for Resilience4j's other
     * states), so an alarm can watch {@code Maximum >= 1}.
     */
    @Bean
    Gauge circuitBreakerStateGauge(CircuitBreakerRegistry breakers, MeterRegistry registry) {
        CircuitBreaker breaker = metaCircuitBreaker(breakers);
        breaker.getEventPublisher().onStateTransition(event -> log.atWarn()
                .addKeyValue("record", "CircuitBreakerTransition")
                .addKeyValue("from", event.getStateTransition().getFromState().name())
                .addKeyValue("to", event.getStateTransition().getToState().name())
                .log("Meta circuit breaker: {}", event.getStateTransition()));
        return Gauge.builder("CircuitBreakerState", breaker, MetaGatewayConfiguration::stateValue)
                .description("Meta circuit breaker: 0 closed, 1 open, 2 half-open").register(registry);
    }

    private static double stateValue(CircuitBreaker breaker) {
        switch (breaker.getState()) {
            case CLOSED:
                return 0;
            case OPEN:
                return 1;
            case HALF_OPEN:
                return 2;
            default:
                return 3;
        }
    }
}
