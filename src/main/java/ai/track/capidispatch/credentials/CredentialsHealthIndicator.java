package ai.track.capidispatch.credentials;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * DOWN only when there are no credentials at all (the secret was never read and reading fails): then no
 * event can be sent. A failed refresh while an older value still serves stays UP and shows in the details
 * ({@code consecutiveRefreshFailures}): restarting the task would not make Secrets Manager answer, and it would
 * lose the value that still works. Details are the read time and counts only, never a value.
 */
@Component("credentials")
class CredentialsHealthIndicator implements HealthIndicator {

    private final CredentialsProvider provider;

    CredentialsHealthIndicator(CredentialsProvider provider) {
        this.provider = provider;
    }

    @Override
    public Health health() {
        Health.Builder health = provider.unavailable() ? Health.down() : Health.up();
        provider.loadedAt().ifPresentOrElse(at -> health.withDetail("loadedAt", at.toString()),
                () -> health.withDetail("loadedAt", "not yet"));
        health.withDetail("consecutiveRefreshFailures", provider.consecutiveRefreshFailures());
        return health.build();
    }
}
