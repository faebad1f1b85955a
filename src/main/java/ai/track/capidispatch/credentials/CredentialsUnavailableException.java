package ai.track.capidispatch.credentials;

/** No usable secret has been read yet, and reading it now failed. */
public class CredentialsUnavailableException extends RuntimeException {
    public CredentialsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
