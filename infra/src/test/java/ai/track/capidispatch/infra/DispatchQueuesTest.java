package ai.track.capidispatch.infra;

import static ai.track.capidispatch.infra.Cfn.getAtt;
import static ai.track.capidispatch.infra.Cfn.logicalId;
import static ai.track.capidispatch.infra.Cfn.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class DispatchQueuesTest {

    private final Synthesized app = Synthesized.committed();
    private final Template template = app.template;
    private final String queueId = logicalId(app.stack.queues().queue());
    private final String dlqId = logicalId(app.stack.queues().deadLetterQueue());

    @Test
    void mainQueueIsSizedForTheWorker() {
        template.hasResourceProperties("AWS::SQS::Queue", Match.objectLike(Map.of(
                "QueueName", "capi-dispatch",
                "SqsManagedSseEnabled", true,
                // Meta call 15 s + DLQ write 10 s, with margin
                "VisibilityTimeout", 60,
                "ReceiveMessageWaitTimeSeconds", 20,
                "MaximumMessageSize", 1_048_576,
                "MessageRetentionPeriod", 4 * 24 * 3600)));
    }

    @Test
    void mainQueueRedrivesToTheDlqAfterFifteenReceives() {
        template.hasResourceProperties("AWS::SQS::Queue", Match.objectLike(Map.of(
                "QueueName", "capi-dispatch",
                "RedrivePolicy", Match.objectEquals(Map.of(
                        "deadLetterTargetArn", getAtt(dlqId, "Arn"),
                        // above the worker's own attempt limit of 10
                        "maxReceiveCount", 15)))));
    }

    @Test
    void deadLetterQueueKeepsMessagesLongerThanTheSource() {
        template.hasResourceProperties("AWS::SQS::Queue", Match.objectLike(Map.of(
                "QueueName", "capi-dispatch-dlq",
                "SqsManagedSseEnabled", true,
                "MaximumMessageSize", 1_048_576,
                "MessageRetentionPeriod", 14 * 24 * 3600)));
    }

    @Test
    void onlyCapiDispatchMayUseTheDeadLetterQueue() {
        template.hasResourceProperties("AWS::SQS::Queue", Match.objectLike(Map.of(
                "QueueName", "capi-dispatch-dlq",
                "RedriveAllowPolicy", Match.objectEquals(Map.of(
                        "redrivePermission", "byQueue",
                        "sourceQueueArns", List.of(Cfn.arn("sqs", ":capi-dispatch")))))));
    }

    @Test
    void bothQueuesRefuseRequestsWithoutTls() {
        for (String queue : List.of(queueId, dlqId)) {
            template.hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
                    "Queues", List.of(ref(queue)),
                    "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(Map.of(
                            "Effect", "Deny",
                            "Principal", Map.of("AWS", "*"),
                            "Action", "sqs:*",
                            "Resource", getAtt(queue, "Arn"),
                            "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
        }
    }

    /** Without sourceTopicArn the queue subscribes to nothing and its policy only refuses plain HTTP. */
    @Test
    void noSourceTopicNoSubscription() {
        template.resourceCountIs("AWS::SNS::Subscription", 0);
        template.hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
                "Queues", List.of(ref(queueId)),
                "PolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of("Effect", "Deny"))))))));
    }

    /** Raw delivery: the body is the producer's message, not SNS's JSON envelope around it. */
    @Test
    void sourceTopicIsSubscribedWithRawMessageDelivery() {
        Synthesized variant = Synthesized.variant();
        String variantQueue = logicalId(variant.stack.queues().queue());
        Map<String, Map<String, Object>> subscriptions = variant.resources("AWS::SNS::Subscription");
        assertEquals(1, subscriptions.size());
        assertEquals(Map.of(
                        "Protocol", "sqs",
                        "TopicArn", Synthesized.SOURCE_TOPIC_ARN,
                        "Endpoint", getAtt(variantQueue, "Arn"),
                        "RawMessageDelivery", true,
                        // a topic in another region: the subscription is made in the topic's region
                        "Region", "us-east-1"),
                subscriptions.values().iterator().next().get("Properties"));
    }

    @Test
    void onlyTheSourceTopicMaySendToTheQueue() {
        Synthesized variant = Synthesized.variant();
        String variantQueue = logicalId(variant.stack.queues().queue());
        variant.template.hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
                "Queues", List.of(ref(variantQueue)),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(Map.of(
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "sns.amazonaws.com"),
                        "Action", "sqs:SendMessage",
                        "Resource", getAtt(variantQueue, "Arn"),
                        "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn", Synthesized.SOURCE_TOPIC_ARN)))))))))));
        // The DLQ takes nothing from the topic.
        String variantDlq = logicalId(variant.stack.queues().deadLetterQueue());
        variant.template.hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
                "Queues", List.of(ref(variantDlq)),
                "PolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of("Effect", "Deny"))))))));
    }

    @Test
    void queuesOutliveTheStack() {
        assertEquals(2, app.resources("AWS::SQS::Queue").size());
        app.resources("AWS::SQS::Queue").values().forEach(queue -> {
            assertEquals("Retain", queue.get("DeletionPolicy"));
            assertEquals("Retain", queue.get("UpdateReplacePolicy"));
        });
    }
}
