package ai.track.capidispatch.credentials;

/** The secret's JSON is not of the contract's shape. The message names fields, never values. */
public class InvalidSecretException extends RuntimeException {
    public InvalidSecretException(String message) {
        super(message);
    }
}
