package ai.track.capidispatch.credentials;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * The secret from AWS Secrets Manager, held as an immutable snapshot that is replaced whole, never edited.
 * Modelled on AWS's own caching client ({@code SecretCacheObject}):
 *
 * <ul>
 *   <li>Read once when the application has started its beans ({@link #start()}); if that read fails the
 *       application does not start, with a message naming {@code META_CAPI_SECRET_NAME} and the reason.
 *   <li>Re-read in the background on a thread of its own every {@link RefreshPolicy#interval()} (jittered),
 *       so a rotated secret is picked up without a restart and no request ever waits on Secrets Manager:
 *       {@link #current()} only reads a volatile field once a snapshot exists.
 *   <li>A failed re-read keeps the last good snapshot serving and is retried with exponential backoff and
 *       jitter.
 *   <li>{@link #refreshNow()} (Meta rejected the token) re-reads at once, throttled.
 * </ul>
 *
 * Only the {@code AWSCURRENT} version is read; why not {@code AWSPENDING} is in {@code docs/security.md}.
 * Nothing here logs or throws a secret value: log lines carry the secret's name, version id and pixel counts,
 * and errors carry AWS's error code and message or the parser's field names.
 */
final class SecretsManagerCredentialsProvider implements CredentialsProvider, SmartInitializingSingleton,
        AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SecretsManagerCredentialsProvider.class);
    /** Past the SDK's own retries of a blip; a read that hangs longer must not hold a listener thread. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    enum Trigger {
        /** The read at start-up. */
        STARTUP,
        /** The periodic background read. */
        SCHEDULED,
        /** Meta rejected the token (code 190). */
        FORCED,
        /** {@link #current()} before {@link #start()}: only outside Spring. */
        FIRST_USE
    }

    private final SecretsManagerClient client;
    private final MetaSecretParser parser;
    private final String secretName;
    private final RefreshPolicy policy;
    private final Clock clock;
    private final RefreshScheduler scheduler;
    private final DoubleSupplier random;

    private volatile Snapshot snapshot;
    private volatile int consecutiveFailures;
    private volatile boolean closed;
    private final AtomicBoolean started = new AtomicBoolean();
    /** Guarded by {@code this}. */
    private Instant lastForcedRead;

    SecretsManagerCredentialsProvider(SecretsManagerClient client, MetaSecretParser parser, String secretName,
            RefreshPolicy policy, Clock clock, RefreshScheduler scheduler, DoubleSupplier random) {
        this.client = client;
        this.parser = parser;
        this.secretName = secretName;
        this.policy = policy;
        this.clock = clock;
        this.scheduler = scheduler;
        this.random = random;
    }

    /**
     * Reads the secret and starts the background refresh.
     *
     * @throws CredentialsUnavailableException when the secret cannot be read or is not of the contract's shape
     */
    void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (snapshot == null) {
                readOrFail(Trigger.STARTUP);
            }
        }
        scheduler.schedule(this::refreshInBackground, policy.afterSuccess(random));
    }

    /** Spring calls this once every singleton exists: configuration errors are reported before this read. */
    @Override
    public void afterSingletonsInstantiated() {
        start();
    }

    @Override
    public MetaSecret current() {
        Snapshot held = snapshot;
        if (held != null) {
            return held.secret();
        }
        synchronized (this) {
            return snapshot != null ? snapshot.secret() : readOrFail(Trigger.FIRST_USE).secret();
        }
    }

    /**
     * Re-reads at once unless a forced re-read happened within {@link RefreshPolicy#minForcedInterval()}. The
     * throttle counts from the last <em>forced</em> read: a scheduled read moments before a rotation must not
     * stop the 190 that follows it from looking again.
     */
    @Override
    public synchronized MetaSecret refreshNow() {
        Snapshot held = snapshot;
        if (held == null) {
            return readOrFail(Trigger.FIRST_USE).secret();
        }
        Instant now = clock.instant();
        if (lastForcedRead != null && now.isBefore(lastForcedRead.plus(policy.minForcedInterval()))) {
            return held.secret();
        }
        lastForcedRead = now;
        tryRead(Trigger.FORCED).ifPresent(reason -> logFailure(Trigger.FORCED, reason, null));
        return snapshot.secret();
    }

    @Override
    public Optional<Instant> loadedAt() {
        Snapshot held = snapshot;
        return held == null ? Optional.empty() : Optional.of(held.loadedAt());
    }

    @Override
    public boolean unavailable() {
        return snapshot == null && consecutiveFailures > 0;
    }

    @Override
    public int consecutiveRefreshFailures() {
        return consecutiveFailures;
    }

    @Override
    public void close() {
        closed = true;
        scheduler.close();
    }

    /** The background task: one read, then schedules the next; it never lets an exception end the cycle. */
    void refreshInBackground() {
        if (closed) {
            return;
        }
        Duration next;
        try {
            Optional<String> failure;
            synchronized (this) {
                failure = tryRead(Trigger.SCHEDULED);
            }
            Duration delay = failure.isEmpty() ? policy.afterSuccess(random)
                    : policy.afterFailure(consecutiveFailures, random);
            if (!closed) { // a read interrupted by close() is no failure worth a warning
                failure.ifPresent(reason -> logFailure(Trigger.SCHEDULED, reason, delay));
            }
            next = delay;
        } catch (RuntimeException bug) {
            // Not a failed read (those are handled in tryRead): a bug. Keep refreshing regardless.
            log.atError().addKeyValue("secret_name", secretName).addKeyValue("error", bug.getClass().getName())
                    .log("Unexpected failure refreshing Meta credentials");
            next = policy.afterFailure(Math.max(1, consecutiveFailures), random);
        }
        if (!closed) {
            scheduler.schedule(this::refreshInBackground, next);
        }
    }

    /** Caller holds the lock. */
    private Snapshot readOrFail(Trigger trigger) {
        try {
            return read(trigger);
        } catch (SdkException | InvalidSecretException e) {
            consecutiveFailures++;
            throw new CredentialsUnavailableException("Cannot read the Meta credentials secret '" + secretName
                    + "' (META_CAPI_SECRET_NAME): " + describe(e), safeCause(e));
        }
    }

    /**
     * Caller holds the lock. On failure the last good snapshot stays and the reason, safe to log, is returned.
     */
    private Optional<String> tryRead(Trigger trigger) {
        try {
            read(trigger);
            return Optional.empty();
        } catch (SdkException | InvalidSecretException e) {
            consecutiveFailures++;
            return Optional.of(describe(e));
        }
    }

    private void logFailure(Trigger trigger, String reason, Duration retryIn) {
        Snapshot held = snapshot;
        log.atWarn().addKeyValue("record", "CredentialsRefreshFailed").addKeyValue("secret_name", secretName)
                .addKeyValue("trigger", trigger.name()).addKeyValue("error", reason)
                .addKeyValue("consecutive_failures", consecutiveFailures)
                .addKeyValue("serving_version_id", held == null ? null : held.versionId())
                .addKeyValue("retry_in_ms", retryIn == null ? null : retryIn.toMillis())
                .log("Could not refresh Meta credentials; serving the last good value");
    }

    /** Caller holds the lock. One GetSecretValue; replaces the snapshot only if the read was good. */
    private Snapshot read(Trigger trigger) {
        GetSecretValueResponse response = client.getSecretValue(GetSecretValueRequest.builder()
                .secretId(secretName)
                .overrideConfiguration(o -> o.apiCallTimeout(READ_TIMEOUT))
                .build());
        if (response.secretString() == null) {
            throw new InvalidSecretException("the secret has no SecretString (a binary secret is not supported)");
        }
        Snapshot fresh = new Snapshot(parser.parse(response.secretString()), response.versionId(), clock.instant());
        Snapshot previous = snapshot;
        boolean recovered = consecutiveFailures > 0;
        snapshot = fresh;
        consecutiveFailures = 0;
        if (previous == null || !previous.secret().equals(fresh.secret())) {
            log.atInfo().addKeyValue("record", "CredentialsRefreshed").addKeyValue("secret_name", secretName)
                    .addKeyValue("trigger", trigger.name()).addKeyValue("version_id", fresh.versionId())
                    .addKeyValue("previous_version_id", previous == null ? null : previous.versionId())
                    .addKeyValue("pixels", fresh.secret().pixels().size())
                    .addKeyValue("pixels_changed", changedPixels(previous, fresh))
                    .log("Meta credentials loaded: {} pixel(s), version {}", fresh.secret().pixels().size(),
                            fresh.versionId());
        } else if (recovered) {
            log.atInfo().addKeyValue("record", "CredentialsRefreshRecovered").addKeyValue("secret_name", secretName)
                    .addKeyValue("trigger", trigger.name()).addKeyValue("version_id", fresh.versionId())
                    .log("Meta credentials secret readable again; unchanged");
        } else {
            log.atDebug().addKeyValue("secret_name", secretName).addKeyValue("trigger", trigger.name())
                    .log("Meta credentials unchanged");
        }
        return fresh;
    }

    /** Pixels added, removed, or whose token or app secret changed: a count, never which values. */
    private static int changedPixels(Snapshot previous, Snapshot fresh) {
        Map<String, MetaCredentials> before = previous == null ? Map.of() : previous.secret().pixels();
        Map<String, MetaCredentials> after = fresh.secret().pixels();
        int changed = 0;
        for (Map.Entry<String, MetaCredentials> pixel : after.entrySet()) {
            if (!Objects.equals(before.get(pixel.getKey()), pixel.getValue())) {
                changed++;
            }
        }
        for (String pixelId : before.keySet()) {
            if (!after.containsKey(pixelId)) {
                changed++;
            }
        }
        return changed;
    }

    /**
     * What went wrong, in words that are safe to log: AWS's error code and message (they name the secret and
     * the caller, never the value), the parser's field names, or the transport failure. Not the message of
     * any other client-side exception: an unmarshalling error could quote the response, which holds the value.
     */
    static String describe(Exception e) {
        if (e instanceof InvalidSecretException) {
            return e.getMessage();
        }
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            return aws.awsErrorDetails().errorCode() + " (HTTP " + aws.statusCode() + "): "
                    + aws.awsErrorDetails().errorMessage();
        }
        Throwable root = rootCause(e);
        if (root instanceof IOException) {
            return e.getClass().getSimpleName() + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
        }
        return e.getClass().getSimpleName() + (root == e ? "" : " caused by " + root.getClass().getSimpleName());
    }

    /** The exception to chain, by the same rule as {@link #describe}: a start-up failure prints its causes. */
    private static Throwable safeCause(Exception e) {
        if (e instanceof AwsServiceException || rootCause(e) instanceof IOException) {
            return e;
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private record Snapshot(MetaSecret secret, String versionId, Instant loadedAt) {
    }
}
