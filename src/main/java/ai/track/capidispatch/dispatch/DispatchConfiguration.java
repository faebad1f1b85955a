package ai.track.capidispatch.dispatch;

import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DispatchConfiguration {

    /**
     * How far ahead of the worker's clock an {@code event_time} may be. Meta documents no limit; ten minutes
     * absorbs ordinary clock drift between producers and the worker, while a timestamp further ahead is a
     * producer bug (wrong time zone, wrong unit) worth a dead letter. A constant, not configuration: nobody has
     * needed another value yet.
     */
    static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(10);

    @Bean
    CapiDispatchService capiDispatchService(ConversionsGateway gateway, DispatchMetrics metrics, Clock clock) {
        return new CapiDispatchService(new ConversionMessageParser(), new EventValidator(clock, MAX_FUTURE_SKEW),
                new EventIdGenerator(), new UserDataNormalizer(clock), gateway, metrics, clock);
    }
}
