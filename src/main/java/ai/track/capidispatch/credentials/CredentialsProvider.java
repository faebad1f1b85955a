package ai.track.capidispatch.credentials;

import java.time.Instant;
import java.util.Optional;

/** Where Meta credentials come from: Secrets Manager in AWS, the environment in the {@code local} profile. */
public interface CredentialsProvider {

    /**
     * The current snapshot. Once the secret has been read this never calls out: refreshing happens in the
     * background.
     *
     * @throws CredentialsUnavailableException when no snapshot was ever read and reading fails now
     */
    MetaSecret current();

    /**
     * Re-reads the secret now because Meta rejected the token (code 190): the secret may have been rotated
     * since the last read. Throttled, so a storm of rejections costs one read, not one per request.
     *
     * @return the snapshot in use afterwards (the old one when throttled or when the read failed)
     * @throws CredentialsUnavailableException when no snapshot was ever read and reading fails now
     */
    MetaSecret refreshNow();

    /** When the snapshot in use was read, if one was. For health details and alarms. */
    Optional<Instant> loadedAt();

    /** Whether the last attempt to read the secret failed and there is no earlier good value to serve. */
    boolean unavailable();

    /**
     * Reads of the secret that failed since the last good one; the last good value keeps serving meanwhile.
     * For health details: a value that stays above zero means rotations are not being picked up.
     */
    default int consecutiveRefreshFailures() {
        return 0;
    }
}
