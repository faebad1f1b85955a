package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.listener.QueueNotFoundStrategy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param queueUrl {@code SQS_QUEUE_URL}: the queue to consume
 * @param dlqUrl {@code SQS_DLQ_URL}: where the worker writes messages it cannot deliver, with the reason
 * @param queueNotFoundStrategy {@code fail} outside {@code local}: a typo in a queue URL must stop start-up,
 *     not create a queue nobody writes to
 * @param maxConcurrentMessages messages in flight at once
 * @param maxMessagesPerPoll messages asked for per receive (SQS returns at most 10 per call)
 * @param pollTimeout long-poll wait
 * @param deadLetterTimeout how long a DLQ write may take before the message is left on the queue instead
 * @param listenerShutdownTimeout how long a stopping listener waits for messages in flight; with the Meta
 *     call timeout it must fit in the contract's 25 s from SIGTERM to exit
 * @param maxPause the longest consumption stays paused between probes while Meta fails or the worker is held
 */
@Validated
@ConfigurationProperties("capi.sqs")
public record SqsWorkerProperties(
        @NotBlank(message = "must be set: SQS_QUEUE_URL (URL of the capi-dispatch queue)") String queueUrl,
        @NotBlank(message = "must be set: SQS_DLQ_URL (URL of the capi-dispatch-dlq queue)") String dlqUrl,
        @NotNull QueueNotFoundStrategy queueNotFoundStrategy,
        @Min(1) @Max(10_000) int maxConcurrentMessages,
        @Min(1) @Max(1000) int maxMessagesPerPoll,
        @NotNull Duration pollTimeout,
        @NotNull Duration deadLetterTimeout,
        @NotNull Duration listenerShutdownTimeout,
        @NotNull Duration maxPause) {
}
