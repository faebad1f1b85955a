package ai.track.capidispatch.credentials;

import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CredentialsProperties.class)
class CredentialsConfiguration {

    @Bean
    CredentialsProvider metaCredentialsProvider(CredentialsProperties properties,
            ObjectProvider<SecretsManagerClient> secretsManager, JsonMapper jsonMapper, Clock clock) {
        if (properties.source() == CredentialsProperties.Source.ENVIRONMENT) {
            return new EnvironmentCredentialsProvider(properties, clock.instant());
        }
        return new SecretsManagerCredentialsProvider(secretsManager.getObject(), new MetaSecretParser(jsonMapper),
                properties.secretName(), properties.refreshInterval(), properties.minForcedRefreshInterval(), clock);
    }

}
