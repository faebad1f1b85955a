package ai.track.capidispatch.meta;

import ai.track.capidispatch.credentials.CredentialsProvider;
import ai.track.capidispatch.credentials.CredentialsUnavailableException;
import ai.track.capidispatch.credentials.MetaCredentials;
import ai.track.capidispatch.dispatch.ConversionsGateway;
import ai.track.capidispatch.dispatch.DispatchMetrics;
import ai.track.capidispatch.dispatch.ErrorClass;
import ai.track.capidispatch.dispatch.GatewayResult;
import ai.track.capidispatch.dispatch.PixelBatch;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Sends a batch to {@code {graph}/{version}/{pixel}/events} through one shared OkHttp client, inside the
 * {@code meta} circuit breaker. Only transient failures count against the breaker: a 400 for a bad event
 * says nothing about Meta's health.
 */
final class OkHttpConversionsGateway implements ConversionsGateway {

    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** Meta's answers are small; a larger body is an HTML error page and its start is enough. */
    private static final long MAX_RESPONSE_BYTES = 256 * 1024;

    private final OkHttpClient client;
    private final HttpUrl graphBase;
    private final CredentialsProvider credentials;
    private final MetaRequestWriter writer;
    private final MetaResponseClassifier classifier;
    private final CircuitBreaker breaker;
    private final DispatchAttemptLog attemptLog;
    private final DispatchMetrics metrics;
    private final Clock clock;
    /** How long the breaker stays open: the wait before Meta is tried again. */
    private final Duration openWait;

    OkHttpConversionsGateway(OkHttpClient client, MetaApiProperties properties, CredentialsProvider credentials,
            MetaRequestWriter writer, MetaResponseClassifier classifier, CircuitBreaker breaker,
            DispatchAttemptLog attemptLog, DispatchMetrics metrics, Clock clock) {
        this.client = client;
        this.graphBase = HttpUrl.get(properties.graphUrl().toString()).newBuilder()
                .addPathSegment(properties.apiVersion())
                .build();
        this.credentials = credentials;
        this.writer = writer;
        this.classifier = classifier;
        this.breaker = breaker;
        this.openWait = Duration.ofMillis(
                breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
        this.attemptLog = attemptLog;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public GatewayResult send(PixelBatch batch) {
        MetaCredentials target;
        try {
            Optional<MetaCredentials> pixel = credentials.current().forPixel(batch.pixelId());
            if (pixel.isEmpty()) {
                return unknownPixel(batch);
            }
            target = pixel.get();
            GatewayResult result = sendWith(target, batch);
            if (result.errorClass() != ErrorClass.AUTH) {
                return result;
            }
            // Meta rejected the token: the secret may have been rotated since it was read. Re-read it (throttled)
            // and try once more with a new token; the same token again would only be rejected again.
            Optional<MetaCredentials> refreshed = credentials.refreshNow().forPixel(batch.pixelId());
            if (refreshed.isEmpty() || refreshed.get().accessToken().equals(target.accessToken())) {
                return result;
            }
            return sendWith(refreshed.get(), batch);
        } catch (CredentialsUnavailableException e) {
            return new GatewayResult(GatewayResult.Verdict.HOLD, ErrorClass.CREDENTIALS_UNAVAILABLE, e.getMessage(),
                    0, null, null, null);
        }
    }

    private GatewayResult sendWith(MetaCredentials target, PixelBatch batch) {
        Request request = new Request.Builder()
                // Pixel ids in the secret are digits only, so this segment cannot climb out of the path.
                .url(graphBase.newBuilder().addPathSegment(target.pixelId()).addPathSegment("events").build())
                .post(RequestBody.create(writer.write(batch, target), JSON))
                .build();
        Instant start = clock.instant();
        GatewayResult result = callThroughBreaker(request, batch.events().size());
        Duration latency = Duration.between(start, clock.instant());
        attemptLog.record(target.pixelId(), batch.events().size(), result, latency);
        metrics.recordMetaRequest(target.pixelId(), latency, batch.events().size(), result);
        return result;
    }

    private static GatewayResult unknownPixel(PixelBatch batch) {
        return new GatewayResult(GatewayResult.Verdict.DEAD_LETTER, ErrorClass.UNKNOWN_PIXEL,
                batch.pixelId() == null ? "the message has no pixel_id and the secret names no default pixel"
                        : "the secret holds no credentials for this pixel_id",
                0, null, null, null);
    }

    private GatewayResult callThroughBreaker(Request request, int eventCount) {
        CircuitBreaker.State before = breaker.getState();
        try {
            return breaker.executeCallable(() -> {
                GatewayResult result = execute(request, eventCount);
                if (result.verdict() == GatewayResult.Verdict.RETRY) {
                    throw new TransientFailure(result); // recorded as a failure by the breaker
                }
                return result;
            });
        } catch (TransientFailure failure) {
            if (before != CircuitBreaker.State.CLOSED || breaker.getState() != CircuitBreaker.State.CLOSED) {
                // A failed half-open probe, or the failure that opened the breaker: Meta is down, not this
                // batch. Counting it as an attempt would burn the attempts of every message that happens to be
                // in a probe, and a long outage would end in the DLQ. Held like an open breaker instead.
                return new GatewayResult(GatewayResult.Verdict.RETRY, ErrorClass.CIRCUIT_OPEN,
                        "Meta is failing (" + failure.result.reason() + "); circuit breaker "
                                + breaker.getState(), failure.result.httpStatus(), failure.result.error(),
                        failure.result.fbtraceId(), openWait);
            }
            return failure.result;
        } catch (CallNotPermittedException open) {
            return new GatewayResult(GatewayResult.Verdict.RETRY, ErrorClass.CIRCUIT_OPEN,
                    "circuit breaker open: Meta is failing, not called", 0, null, null, openWait);
        } catch (Exception unexpected) {
            throw new IllegalStateException("unexpected failure calling Meta", unexpected);
        }
    }

    private GatewayResult execute(Request request, int eventCount) {
        try (Response response = client.newCall(request).execute()) {
            String body = response.peekBody(MAX_RESPONSE_BYTES).string();
            return classifier.classify(response.code(), body, eventCount, response.header("Retry-After"),
                    origin(request.url(), response.header("Server")));
        } catch (IOException e) {
            return classifier.transportFailure(e);
        }
    }

    /**
     * The host and port the request went to, never the whole URL: the path names the pixel and a query could carry
     * anything a misconfigured {@code META_GRAPH_URL} holds.
     */
    private static MetaResponseClassifier.Origin origin(HttpUrl url, String serverHeader) {
        String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host(); // IPv6 literal
        if (url.port() != HttpUrl.defaultPort(url.scheme())) {
            host += ":" + url.port();
        }
        return new MetaResponseClassifier.Origin(host, serverHeader);
    }

    /** Carries a retryable result through the breaker so it counts as a failure; never escapes this class. */
    private static final class TransientFailure extends RuntimeException {
        private final transient GatewayResult result;

        TransientFailure(GatewayResult result) {
            super(null, null, false, false);
            this.result = result;
        }
    }
}
