package ai.track.capidispatch.credentials;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CredentialsProperties.class)
class CredentialsConfiguration {

    /**
     * With {@code source=secrets-manager} the secret is read once all beans exist (a failure stops start-up,
     * naming {@code META_CAPI_SECRET_NAME}), then refreshed in the background; the provider is closed, and its
     * refresh thread stopped, with the context.
     */
    @Bean
    CredentialsProvider metaCredentialsProvider(CredentialsProperties properties,
            ObjectProvider<SecretsManagerClient> secretsManager, JsonMapper jsonMapper, Clock clock) {
        if (properties.source() == CredentialsProperties.Source.ENVIRONMENT) {
            return new EnvironmentCredentialsProvider(properties, clock.instant());
        }
        return new SecretsManagerCredentialsProvider(secretsManager.getObject(), new MetaSecretParser(jsonMapper),
                properties.secretName(), properties.refreshPolicy(), clock,
                RefreshScheduler.daemonThread("meta-credentials-refresh"),
                () -> ThreadLocalRandom.current().nextDouble());
    }

}
