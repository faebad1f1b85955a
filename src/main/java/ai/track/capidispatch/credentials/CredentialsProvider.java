package ai.track.capidispatch.credentials;

import java.time.Instant;
import java.util.Optional;

/** Where Meta credentials come from: Secrets Manager in AWS, the environment in the {@code local} profile. */
public interface CredentialsProvider {

    /**
     * The current snapshot, read or refreshed as needed.
     *
     * @throws CredentialsUnavailableException when no snapshot was ever read and reading fails now
     */
    MetaSecret current();

    /** When the snapshot in use was read, if one was. For health details and alarms. */
    Optional<Instant> loadedAt();

    /** Whether the last attempt to read the secret failed and there is no earlier good value to serve. */
    boolean unavailable();
}
