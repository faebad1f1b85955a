package ai.track.capidispatch.sqs;

import java.time.Duration;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The worker's SQS client and receive request, outside Spring, for a benchmark that compares what an SQS call
 * costs through them with what it costs through a plain SDK client: the same customizer as the worker's bean
 * ({@link SqsListenerConfiguration#sqsHttpClient}), with its byte budget's interceptor, and the attributes the
 * listener asks for.
 */
public final class WorkerSqsClient {

    private WorkerSqsClient() {
    }

    /**
     * {@code builder} (endpoint, region, credentials) set up as the worker sets up its client, with a byte budget
     * of {@code budgetBytes} for the receive answers to count against; the caller closes it.
     */
    public static SqsAsyncClient build(SqsAsyncClientBuilder builder, String queueUrl, long budgetBytes) {
        SqsWorkerProperties properties = TestSqsProperties.of(queueUrl, queueUrl, Duration.ofMillis(10));
        new SqsListenerConfiguration().sqsHttpClient(properties, new InFlightBudget(budgetBytes)).customize(builder);
        return builder.build();
    }

    /** A receive of up to ten messages with the attributes the worker's listener asks for. */
    public static ReceiveMessageRequest.Builder receiveWithListenerAttributes(ReceiveMessageRequest.Builder request) {
        return request.messageAttributeNames("All").messageSystemAttributeNames(SqsListenerConfiguration.SYSTEM_ATTRIBUTES);
    }
}
