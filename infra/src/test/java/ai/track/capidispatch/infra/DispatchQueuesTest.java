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

    @Test
    void queuesOutliveTheStack() {
        assertEquals(2, app.resources("AWS::SQS::Queue").size());
        app.resources("AWS::SQS::Queue").values().forEach(queue -> {
            assertEquals("Retain", queue.get("DeletionPolicy"));
            assertEquals("Retain", queue.get("UpdateReplacePolicy"));
        });
    }
}
