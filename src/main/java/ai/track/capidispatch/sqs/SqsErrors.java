package ai.track.capidispatch.sqs;

import java.util.concurrent.CompletionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** What to log of a failed SQS call: never its message (an SDK message can quote the request), only what it was. */
final class SqsErrors {

    private SqsErrors() {
    }

    /**
     * SQS's error code when SQS answered ({@code BatchRequestTooLong}, {@code AccessDenied}, ...), otherwise the
     * exception's class ({@code SdkClientException} for a connection refused), under any {@code CompletionException}.
     */
    static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode();
        }
        return cause.getClass().getSimpleName();
    }
}
