package ai.track.capidispatch.dispatch;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DispatchConfiguration {

    @Bean
    CapiDispatchService capiDispatchService(ConversionsGateway gateway, DispatchMetrics metrics, Clock clock) {
        return new CapiDispatchService(new ConversionMessageParser(), new EventIdGenerator(),
                new UserDataNormalizer(clock), gateway, metrics, clock);
    }
}
