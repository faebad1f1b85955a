package ai.track.capidispatch.meta;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How to reach Meta's Graph API.
 *
 * @param graphUrl {@code META_GRAPH_URL}; the only host the worker ever sends events to
 * @param apiVersion {@code META_GRAPH_API_VERSION}, e.g. {@code v26.0}
 * @param dryRun {@code META_DRY_RUN}: validate, normalize and hash, log a summary, acknowledge, send nothing
 * @param connectTimeout TCP and TLS connect limit
 * @param readTimeout limit between bytes of the response; Meta answers most requests in under 600 ms
 * @param callTimeout limit for the whole request, so a hung Meta cannot hang a listener thread
 */
@Validated
@ConfigurationProperties("capi.meta")
public record MetaApiProperties(
        @NotNull(message = "must be set: META_GRAPH_URL (Graph API base URL)") URI graphUrl,
        @NotNull @Pattern(regexp = "v\\d+\\.\\d+", message = "META_GRAPH_API_VERSION must look like v26.0")
        String apiVersion,
        boolean dryRun,
        @NotNull Duration connectTimeout,
        @NotNull Duration readTimeout,
        @NotNull Duration callTimeout) {
}
