package ai.track.capidispatch.ops;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The only class in {@code ops} that calls SQS: the few operations the commands need. Built from the
 * command line's endpoint and region, so tests point it at ElasticMQ the same way operators point it at
 * LocalStack or a real region. Calls throw {@link SdkException} after the SDK's own retries.
 */
final class QueueClient implements AutoCloseable {

    /** SQS's limit for every batch call and for one receive. */
    static final int MAX_BATCH = 10;

    private final SqsClient sqs;

    QueueClient(SqsClient sqs) {
        this.sqs = sqs;
    }

    /** @param endpoint {@code null} for the region's AWS endpoint */
    static QueueClient connect(URI endpoint, String region) {
        SqsClientBuilder builder = SqsClient.builder()
                .region(Region.of(region))
                .credentialsProvider(credentialsFor(endpoint));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return new QueueClient(builder.build());
    }

    /**
     * The SDK's default chain, except against a server on this machine (ElasticMQ, LocalStack), which checks
     * no signatures: there, dummy credentials stand in when none are configured, so the local profile's
     * queues need no AWS account. Instance and container credentials are not tried there (they would only
     * add timeouts on a laptop).
     */
    static AwsCredentialsProvider credentialsFor(URI endpoint) {
        if (endpoint == null || !isLoopback(endpoint.getHost())) {
            return DefaultCredentialsProvider.builder().build();
        }
        return AwsCredentialsProviderChain.builder()
                .credentialsProviders(EnvironmentVariableCredentialsProvider.create(),
                        SystemPropertyCredentialsProvider.create(),
                        ProfileCredentialsProvider.create(),
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    private static boolean isLoopback(String host) {
        return "localhost".equalsIgnoreCase(host) || "127.0.0.1".equals(host) || "[::1]".equals(host)
                || "::1".equals(host);
    }

    /** A message to send in a batch; {@code id} names it in the answer (letters, digits, {@code -}, {@code _}). */
    record BatchEntry(String id, String body) {
        @Override
        public String toString() {
            return "BatchEntry[id=" + id + "]";
        }
    }

    /** A batch entry SQS did not take, with SQS's error code. */
    record BatchFailure(String id, String code) {
    }

    /**
     * One {@code SendMessageBatch}.
     *
     * @return the entries SQS did not take; the others are on the queue
     * @throws SdkException when the call failed as a whole (queue missing, access denied, unreachable)
     */
    List<BatchFailure> sendBatch(String queueUrl, List<BatchEntry> entries) {
        List<SendMessageBatchRequestEntry> requestEntries = new ArrayList<>(entries.size());
        for (BatchEntry entry : entries) {
            requestEntries.add(SendMessageBatchRequestEntry.builder().id(entry.id()).messageBody(entry.body())
                    .build());
        }
        SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(requestEntries));
        List<BatchFailure> failures = new ArrayList<>();
        for (BatchResultErrorEntry failed : response.failed()) {
            failures.add(new BatchFailure(failed.id(), failed.code()));
        }
        return failures;
    }

    /** @return the new message's id, once SQS confirmed it has the message */
    String send(String queueUrl, String body, Map<String, MessageAttributeValue> attributes) {
        return sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body).messageAttributes(attributes))
                .messageId();
    }

    /**
     * Receives up to {@code max} messages with every message attribute and {@code SentTimestamp}, hiding them
     * from other consumers for {@code visibility}.
     */
    List<DlqMessage> receive(String queueUrl, int max, Duration visibility, Duration wait) {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                .maxNumberOfMessages(Math.min(max, MAX_BATCH))
                .visibilityTimeout((int) visibility.toSeconds())
                .waitTimeSeconds((int) wait.toSeconds())
                .messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.SENT_TIMESTAMP))
                .messages();
        List<DlqMessage> received = new ArrayList<>(messages.size());
        for (Message message : messages) {
            String sent = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
            received.add(new DlqMessage(message.messageId(), message.receiptHandle(), message.body(),
                    sent == null ? null : Instant.ofEpochMilli(Long.parseLong(sent)),
                    message.messageAttributes()));
        }
        return received;
    }

    /**
     * Makes messages visible again at once ({@code ChangeMessageVisibility} to 0), ten per call.
     *
     * @return how many could not be released; they become visible when their visibility timeout ends
     */
    int release(String queueUrl, Collection<String> receiptHandles) {
        List<String> handles = List.copyOf(receiptHandles);
        int failed = 0;
        for (int start = 0; start < handles.size(); start += MAX_BATCH) {
            List<String> chunk = handles.subList(start, Math.min(start + MAX_BATCH, handles.size()));
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id("m" + i)
                        .receiptHandle(chunk.get(i)).visibilityTimeout(0).build());
            }
            try {
                failed += sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries)).failed()
                        .size();
            } catch (SdkException e) {
                failed += chunk.size();
            }
        }
        return failed;
    }

    void delete(String queueUrl, String receiptHandle) {
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle));
    }

    /** Visible plus in-flight plus delayed messages, as SQS approximates them; empty if SQS would not say. */
    OptionalLong approximateSize(String queueUrl) {
        return approximately(queueUrl, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
    }

    /** {@code ApproximateNumberOfMessages}: the messages a receive can get now; empty if SQS would not say. */
    OptionalLong approximateVisible(String queueUrl) {
        return approximately(queueUrl, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    }

    private OptionalLong approximately(String queueUrl, QueueAttributeName... counts) {
        try {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                    .attributeNames(counts))
                    .attributes();
            long total = 0;
            for (String value : attributes.values()) {
                total += Long.parseLong(value);
            }
            return OptionalLong.of(total);
        } catch (SdkException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** SQS's error code ({@code QueueDoesNotExist}, {@code AccessDenied}, ...), else the exception's type. */
    static String errorCode(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode();
        }
        return e.getClass().getSimpleName();
    }

    @Override
    public void close() {
        sqs.close();
    }
}
