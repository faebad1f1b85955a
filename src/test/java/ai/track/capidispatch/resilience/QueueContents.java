package ai.track.capidispatch.resilience;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What is on a queue, read the way an operator would: counts, and every message taken off it. */
public final class QueueContents {

    private QueueContents() {
    }

    /** Visible, in flight or delayed (a retry copy waits out its backoff delayed): zero means every message was deleted. */
    public static int messagesOn(SqsClient sqs, String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }

    /** Received by someone and neither deleted nor visible again yet. */
    public static int inFlightOn(SqsClient sqs, String queueUrl) {
        return count(sqs, queueUrl, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE);
    }

    /** Waiting to be received. */
    public static int visibleOn(SqsClient sqs, String queueUrl) {
        return count(sqs, queueUrl, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    }

    private static int count(SqsClient sqs, String queueUrl, QueueAttributeName attribute) {
        return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(attribute))
                .attributes().get(attribute));
    }

    /**
     * Receives every visible message of a queue nobody else consumes, with its attributes, and keeps it
     * invisible for ten minutes so a message is taken once. Ends when a receive comes back empty.
     */
    public static List<Message> receiveAll(SqsClient sqs, String queueUrl) {
        List<Message> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Message> received;
        do {
            received = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).visibilityTimeout(600)
                    .messageAttributeNames("All").waitTimeSeconds(1)).messages();
            received.stream().filter(message -> seen.add(message.messageId())).forEach(all::add);
        } while (!received.isEmpty());
        return all;
    }
}
