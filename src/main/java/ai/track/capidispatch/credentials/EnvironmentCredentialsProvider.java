package ai.track.capidispatch.credentials;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from {@code META_ACCESS_TOKEN} / {@code META_PIXEL_ID} / {@code META_APP_SECRET}, for the
 * {@code local} profile where there is no Secrets Manager. Without a token there is nothing to send with and
 * the worker runs dry, so {@link #current()} is never asked.
 */
final class EnvironmentCredentialsProvider implements CredentialsProvider {

    private final MetaSecret secret;
    private final Instant loadedAt;

    EnvironmentCredentialsProvider(CredentialsProperties properties, Instant loadedAt) {
        this.loadedAt = loadedAt;
        if (!properties.canSend()) {
            this.secret = null;
            return;
        }
        String pixelId = properties.pixelId();
        if (pixelId == null || pixelId.isEmpty() || !pixelId.chars().allMatch(Character::isDigit)) {
            throw new InvalidSecretException("META_PIXEL_ID must be set to the pixel's numeric id when"
                    + " META_ACCESS_TOKEN is set");
        }
        String appSecret = properties.appSecret() == null || properties.appSecret().isBlank() ? null
                : properties.appSecret();
        this.secret = new MetaSecret(pixelId,
                Map.of(pixelId, new MetaCredentials(pixelId, properties.accessToken(), appSecret)));
    }

    @Override
    public MetaSecret current() {
        if (secret == null) {
            throw new CredentialsUnavailableException("META_ACCESS_TOKEN is not set", null);
        }
        return secret;
    }

    /** The environment does not change under a running process. */
    @Override
    public MetaSecret refreshNow() {
        return current();
    }

    @Override
    public Optional<Instant> loadedAt() {
        return secret == null ? Optional.empty() : Optional.of(loadedAt);
    }

    @Override
    public boolean unavailable() {
        return false;
    }
}
