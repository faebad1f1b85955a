package ai.track.capidispatch.infra;

import static ai.track.capidispatch.infra.Cfn.getAtt;
import static ai.track.capidispatch.infra.Cfn.logicalId;
import static ai.track.capidispatch.infra.Cfn.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class WorkerAlarmsTest {

    private final Synthesized app = Synthesized.committed();
    private final Template template = app.template;
    private final String queue = logicalId(app.stack.queues().queue());
    private final String dlq = logicalId(app.stack.queues().deadLetterQueue());

    @Test
    void mainQueueDepthAboveAThousand() {
        alarm("capi-dispatch-queue-depth", Map.of(
                "Namespace", "AWS/SQS",
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Dimensions", List.of(Map.of("Name", "QueueName", "Value", getAtt(queue, "QueueName"))),
                "Statistic", "Maximum",
                "Period", 300,
                "Threshold", 1000,
                "ComparisonOperator", "GreaterThanThreshold",
                "EvaluationPeriods", 3));
    }

    @Test
    void anyMessageInTheDeadLetterQueueUsingMaximumNotSum() {
        alarm("capi-dispatch-dlq-not-empty", Map.of(
                "Namespace", "AWS/SQS",
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Dimensions", List.of(Map.of("Name", "QueueName", "Value", getAtt(dlq, "QueueName"))),
                "Statistic", "Maximum",
                "Threshold", 0,
                "ComparisonOperator", "GreaterThanThreshold",
                "TreatMissingData", "notBreaching"));
    }

    @Test
    void oldestMessageOlderThanFifteenMinutes() {
        alarm("capi-dispatch-oldest-message-age", Map.of(
                "Namespace", "AWS/SQS",
                "MetricName", "ApproximateAgeOfOldestMessage",
                "Dimensions", List.of(Map.of("Name", "QueueName", "Value", getAtt(queue, "QueueName"))),
                "Statistic", "Maximum",
                "Threshold", 900,
                "ComparisonOperator", "GreaterThanThreshold"));
    }

    @Test
    void fewerThanTwoRunningTasksFromContainerInsights() {
        alarm("capi-dispatch-worker-running-tasks", Map.of(
                // Container Insights' metric: the original's "TaskCount" does not exist
                "Namespace", "ECS/ContainerInsights",
                "MetricName", "RunningTaskCount",
                "Dimensions", List.of(
                        Map.of("Name", "ClusterName", "Value", ref(logicalId(app.stack.worker().cluster()))),
                        Map.of("Name", "ServiceName", "Value", getAtt(logicalId(app.stack.worker().service()), "Name"))),
                "Statistic", "Minimum",
                "Threshold", 2,
                "ComparisonOperator", "LessThanThreshold",
                "TreatMissingData", "breaching"));
    }

    // The contract's bare names, as the worker publishes them (CloudWatchPublishingTest).
    @Test
    void dispatchFailuresSummedOverEveryErrorClass() {
        alarm("capi-dispatch-failures", Map.of(
                "Metrics", List.of(Match.objectLike(Map.of(
                        "Expression", "SELECT SUM(\"DispatchFailure\") FROM \"Track-AI/CAPI\"",
                        "Period", 300,
                        "ReturnData", true))),
                "Threshold", 100,
                "ComparisonOperator", "GreaterThanThreshold",
                "EvaluationPeriods", 2));
    }

    @Test
    void circuitBreakerOpen() {
        alarm("capi-dispatch-circuit-breaker-open", Map.of(
                "Metrics", List.of(Match.objectLike(Map.of(
                        "Expression", "SELECT MAX(\"CircuitBreakerState\") FROM \"Track-AI/CAPI\"",
                        "Period", 60))),
                "Threshold", 1,
                "ComparisonOperator", "GreaterThanOrEqualToThreshold"));
    }

    @Test
    void anyHeldMessage() {
        alarm("capi-dispatch-held", Map.of(
                "Metrics", List.of(Match.objectLike(Map.of(
                        "Expression", "SELECT SUM(\"DispatchHeld\") FROM \"Track-AI/CAPI\"",
                        "Period", 60))),
                "Threshold", 0,
                "ComparisonOperator", "GreaterThanThreshold"));
    }

    /** p95 because "late" is about the bulk of the events; MAX because per-task percentiles cannot be averaged. */
    @Test
    void eventAgeP95AboveAMinuteForFiveMinutes() {
        alarm("capi-dispatch-event-age-p95", Map.of(
                "Metrics", List.of(Match.objectLike(Map.of(
                        "Expression", "SELECT MAX(\"EventAgePercentile\") FROM \"Track-AI/CAPI\" WHERE Percentile = 'p95'",
                        "Period", 60,
                        "ReturnData", true))),
                // the metric is in milliseconds
                "Threshold", 60_000,
                "ComparisonOperator", "GreaterThanThreshold",
                "EvaluationPeriods", 5,
                "DatapointsToAlarm", 5,
                // the worker publishes no percentile while it delivers nothing
                "TreatMissingData", "notBreaching"));
    }

    @Test
    void eventAgeThresholdComesFromContext() {
        Synthesized.variant().template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "AlarmName", "capi-dispatch-event-age-p95",
                "Threshold", 120_000)));
    }

    @Test
    void everyAlarmNotifiesTheTopicOnAlarmAndRecovery() {
        Map<String, Map<String, Object>> alarms = app.resources("AWS::CloudWatch::Alarm");
        assertEquals(8, alarms.size());
        String topic = logicalId(app.stack.alarms().topic());
        alarms.forEach((name, alarm) -> {
            Map<?, ?> properties = (Map<?, ?>) alarm.get("Properties");
            assertEquals(List.of(ref(topic)), properties.get("AlarmActions"), name);
            assertEquals(List.of(ref(topic)), properties.get("OKActions"), name);
        });
    }

    @Test
    void createdTopicOnlyAcceptsTls() {
        template.hasResourceProperties("AWS::SNS::Topic", Match.objectLike(Map.of("TopicName", "capi-dispatch-alarms")));
        template.hasResourceProperties("AWS::SNS::TopicPolicy", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Effect", "Deny",
                        "Action", "sns:Publish",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))))));
    }

    @Test
    void existingTopicFromContextIsUsedInsteadOfANewOne() {
        Synthesized variant = Synthesized.variant();
        variant.template.resourceCountIs("AWS::SNS::Topic", 0);
        variant.resources("AWS::CloudWatch::Alarm").forEach((name, alarm) -> assertEquals(
                List.of("arn:aws:sns:eu-west-1:111122223333:ops-alarms"),
                ((Map<?, ?>) alarm.get("Properties")).get("AlarmActions"), name));
    }

    private void alarm(String name, Map<String, Object> expected) {
        Map<String, Object> pattern = new HashMap<>(expected);
        pattern.put("AlarmName", name);
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(pattern));
    }
}
