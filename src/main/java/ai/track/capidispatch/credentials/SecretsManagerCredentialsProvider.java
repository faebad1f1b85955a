package ai.track.capidispatch.credentials;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Reads the secret from AWS Secrets Manager and caches it as an immutable snapshot. A snapshot older than
 * the refresh interval is re-read on next use, so a rotated secret is picked up without a restart; if that
 * read fails the last good snapshot keeps serving (like AWS's own secrets-manager caching client).
 */
final class SecretsManagerCredentialsProvider implements CredentialsProvider {

    private static final Logger log = LoggerFactory.getLogger(SecretsManagerCredentialsProvider.class);

    private final SecretsManagerClient client;
    private final MetaSecretParser parser;
    private final String secretName;
    private final Duration refreshInterval;
    private final Duration minForcedRefreshInterval;
    private final Clock clock;

    private volatile Snapshot snapshot;
    private volatile boolean lastReadFailed;

    SecretsManagerCredentialsProvider(SecretsManagerClient client, MetaSecretParser parser, String secretName,
            Duration refreshInterval, Duration minForcedRefreshInterval, Clock clock) {
        this.client = client;
        this.parser = parser;
        this.secretName = secretName;
        this.refreshInterval = refreshInterval;
        this.minForcedRefreshInterval = minForcedRefreshInterval;
        this.clock = clock;
    }

    @Override
    public MetaSecret current() {
        Snapshot held = snapshot;
        if (held != null && held.loadedAt.plus(refreshInterval).isAfter(clock.instant())) {
            return held.secret;
        }
        return reload(held);
    }

    @Override
    public synchronized MetaSecret refreshNow() {
        Snapshot held = snapshot;
        if (held != null && held.loadedAt.plus(minForcedRefreshInterval).isAfter(clock.instant())) {
            return held.secret; // read moments ago: a rotation since is unlikely, and this is not a loop
        }
        return reload(held);
    }

    private synchronized MetaSecret reload(Snapshot seen) {
        if (snapshot != seen) {
            return snapshot.secret; // another thread refreshed meanwhile
        }
        try {
            String secretString = client.getSecretValue(GetSecretValueRequest.builder().secretId(secretName).build())
                    .secretString();
            Snapshot fresh = new Snapshot(parser.parse(secretString == null ? "" : secretString), clock.instant());
            snapshot = fresh;
            lastReadFailed = false;
            log.atInfo().addKeyValue("secret_name", secretName)
                    .addKeyValue("pixels", fresh.secret.pixels().size())
                    .log("Meta credentials loaded");
            return fresh.secret;
        } catch (SdkException | InvalidSecretException e) {
            // Both messages are safe: the SDK's carry the service's error text, never the secret value, and
            // InvalidSecretException names fields only.
            lastReadFailed = true;
            if (seen != null) {
                log.atWarn().addKeyValue("secret_name", secretName).addKeyValue("error", e.getClass().getSimpleName())
                        .log("Could not refresh Meta credentials; serving the last good value: {}", e.getMessage());
                return seen.secret;
            }
            throw new CredentialsUnavailableException(
                    "cannot read secret " + secretName + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Instant> loadedAt() {
        Snapshot held = snapshot;
        return held == null ? Optional.empty() : Optional.of(held.loadedAt);
    }

    @Override
    public boolean unavailable() {
        return lastReadFailed && snapshot == null;
    }

    private record Snapshot(MetaSecret secret, Instant loadedAt) {
    }
}
