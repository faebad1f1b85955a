package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.listener.QueueNotFoundStrategy;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param queueUrl {@code SQS_QUEUE_URL}: the queue to consume
 * @param dlqUrl {@code SQS_DLQ_URL}: where the worker writes messages it cannot deliver, with the reason
 * @param queueNotFoundStrategy {@code fail} outside {@code local}: a typo in a queue URL must stop start-up,
 *     not create a queue nobody writes to
 * @param maxConcurrentMessages messages in flight at once
 * @param maxInFlightBytes the heap messages in flight may hold at once ({@link InFlightBudget}); unset, it is
 *     {@value #DEFAULT_IN_FLIGHT_HEAP_PERCENT} % of the JVM's maximum heap
 * @param maxMessagesPerPoll messages asked for per receive (SQS returns at most 10 per call)
 * @param pollTimeout long-poll wait
 * @param deadLetterTimeout how long a DLQ write may take before the message is left on the queue instead
 * @param listenerShutdownTimeout how long a stopping listener waits for messages in flight; with the Meta
 *     call timeout it must fit in the contract's 25 s from SIGTERM to exit
 * @param maxPause the longest consumption stays paused between probes while Meta fails or the worker is held
 * @param pollBackOffInitial after a failed receive (SQS unreachable, throttled, access denied) the listener
 *     waits this long before it polls again, doubling per further failure
 * @param pollBackOffMax the cap of that wait: while SQS stays unreachable the worker polls once per this
 *     interval, and this is the longest it takes to notice SQS is back. A successful receive resets the wait
 * @param sparsePollDelay when receives come back with fewer messages than asked for (the queue is nearly empty,
 *     SQS hands out what arrives), the listener keeps one poll running and starts it only after this delay, so
 *     messages gather and one receive takes several; see {@link PollPacer}. Zero polls again at once
 * @param deleteLinger how long a delivered message waits to be deleted together with others, up to ten per SQS
 *     call; see {@link MessageDeleter}
 * @param httpClient the SQS client's HTTP layer; see {@link HttpClient}
 */
@Validated
@ConfigurationProperties("capi.sqs")
public record SqsWorkerProperties(
        @NotBlank(message = "must be set: SQS_QUEUE_URL (URL of the capi-dispatch queue)") String queueUrl,
        @NotBlank(message = "must be set: SQS_DLQ_URL (URL of the capi-dispatch-dlq queue)") String dlqUrl,
        @NotNull QueueNotFoundStrategy queueNotFoundStrategy,
        @Min(1) @Max(10_000) int maxConcurrentMessages,
        @Nullable DataSize maxInFlightBytes,
        @Min(1) @Max(1000) int maxMessagesPerPoll,
        @NotNull Duration pollTimeout,
        @NotNull Duration deadLetterTimeout,
        @NotNull Duration listenerShutdownTimeout,
        @NotNull Duration maxPause,
        @NotNull @DurationMin(millis = 10) Duration pollBackOffInitial,
        @NotNull @DurationMax(minutes = 5) Duration pollBackOffMax,
        @NotNull @DurationMin(millis = 0) @DurationMax(seconds = 1) Duration sparsePollDelay,
        @NotNull @DurationMin(millis = 0) @DurationMax(seconds = 1) Duration deleteLinger,
        @NotNull HttpClient httpClient) {

    /**
     * The share of the maximum heap that messages in flight may hold by default: in a 512 MB task (a 230 MB heap)
     * that is 92 MB, beside the 40-60 MB the worker itself keeps live, and room for the young generation's churn.
     */
    public static final int DEFAULT_IN_FLIGHT_HEAP_PERCENT = 40;

    /** {@code max-in-flight-bytes}, or its default for a JVM whose maximum heap is {@code maxHeapBytes}. */
    public long inFlightBytesLimit(long maxHeapBytes) {
        return maxInFlightBytes != null ? maxInFlightBytes.toBytes() : maxHeapBytes / 100 * DEFAULT_IN_FLIGHT_HEAP_PERCENT;
    }

    /** Bean Validation reads this as the property {@code maxInFlightBytesPositive}. */
    @AssertTrue(message = "capi.sqs.max-in-flight-bytes must be positive")
    public boolean isMaxInFlightBytesPositive() {
        return maxInFlightBytes == null || maxInFlightBytes.toBytes() > 0;
    }

    /** The SQS client's HTTP layer ({@code capi.sqs.http-client}). */
    public enum HttpClient {
        /** The AWS Common Runtime's client, whose I/O is native: about half of Netty's CPU per SQS call. */
        CRT,
        /**
         * The SDK's Java client: the way back where the CRT's native library cannot load (a platform it has no
         * build for, no writable temporary directory to unpack it to).
         */
        NETTY
    }

    /** Bean Validation reads this as the property {@code pollBackOffWithinMax}. */
    @AssertTrue(message = "capi.sqs.poll-back-off-initial must not exceed capi.sqs.poll-back-off-max")
    public boolean isPollBackOffWithinMax() {
        return pollBackOffInitial == null || pollBackOffMax == null
                || pollBackOffInitial.compareTo(pollBackOffMax) <= 0;
    }
}
