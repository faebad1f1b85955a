package ai.track.capidispatch.credentials;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param source where credentials come from: {@code secrets-manager} (AWS) or {@code environment} (local runs)
 * @param secretName {@code META_CAPI_SECRET_NAME}
 * @param refreshInterval how often the secret is re-read in the background (±10 %), so a rotation is picked up
 *     without a restart
 * @param refreshRetryDelay the first retry after a failed re-read; it doubles per failure up to
 *     {@code refreshInterval}, and the last good value serves meanwhile
 * @param minForcedRefreshInterval a token rejection (190) re-reads the secret at once, but not more often
 *     than this
 * @param accessToken {@code META_ACCESS_TOKEN}, used only with {@code source=environment}
 * @param pixelId {@code META_PIXEL_ID}, used only with {@code source=environment}
 * @param appSecret {@code META_APP_SECRET}, used only with {@code source=environment}
 */
@Validated
@ConfigurationProperties("capi.credentials")
public record CredentialsProperties(
        @NotNull Source source,
        @NotBlank(message = "must be set: META_CAPI_SECRET_NAME (the Secrets Manager secret with Meta credentials)")
        String secretName,
        @NotNull Duration refreshInterval,
        @NotNull Duration refreshRetryDelay,
        @NotNull Duration minForcedRefreshInterval,
        String accessToken,
        String pixelId,
        String appSecret) {

    public CredentialsProperties {
        if (refreshInterval != null && refreshRetryDelay != null && minForcedRefreshInterval != null) {
            new RefreshPolicy(refreshInterval, refreshRetryDelay, minForcedRefreshInterval); // it checks the rules
        }
    }

    RefreshPolicy refreshPolicy() {
        return new RefreshPolicy(refreshInterval, refreshRetryDelay, minForcedRefreshInterval);
    }

    public enum Source {
        SECRETS_MANAGER, ENVIRONMENT
    }

    /** Whether these settings leave the worker anything to send with; without, it can only run dry. */
    public boolean canSend() {
        return source == Source.SECRETS_MANAGER || (accessToken != null && !accessToken.isBlank());
    }

    /** Only the names of what is set: this record holds a token. */
    @Override
    public String toString() {
        return "CredentialsProperties[source=" + source + ", secretName=" + secretName + ", refreshInterval="
                + refreshInterval + ", refreshRetryDelay=" + refreshRetryDelay + ", minForcedRefreshInterval="
                + minForcedRefreshInterval + ", accessToken=" + (accessToken == null || accessToken.isEmpty() ? "unset"
                        : "***") + ", pixelId=" + pixelId + ", appSecret="
                + (appSecret == null || appSecret.isEmpty() ? "unset" : "***") + "]";
    }
}
