package ai.track.capidispatch.infra;

import static ai.track.capidispatch.infra.Cfn.getAtt;
import static ai.track.capidispatch.infra.Cfn.logicalId;
import static ai.track.capidispatch.infra.Cfn.ref;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class WorkerScalingTest {

    private final Synthesized app = Synthesized.committed();
    private final Template template = app.template;

    @Test
    void taskCountScalesBetweenTwoAndTen() {
        template.resourceCountIs("AWS::ApplicationAutoScaling::ScalableTarget", 1);
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "ServiceNamespace", "ecs",
                "ScalableDimension", "ecs:service:DesiredCount",
                "MinCapacity", 2,
                "MaxCapacity", 10,
                "ResourceId", Map.of("Fn::Join", List.of("", List.of("service/",
                        ref(logicalId(app.stack.worker().cluster())), "/",
                        getAtt(logicalId(app.stack.worker().service()), "Name")))))));
    }

    @Test
    void cpuPolicyTracksSeventyPercent() {
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "PolicyType", "TargetTrackingScaling",
                "ScalingTargetId", ref(scalableTarget()),
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "PredefinedMetricSpecification", Map.of("PredefinedMetricType", "ECSServiceAverageCPUUtilization"),
                        "TargetValue", 70)))));
    }

    @Test
    void backlogPolicyTracksMessagesPerRunningTaskWithMetricMath() {
        template.resourceCountIs("AWS::ApplicationAutoScaling::ScalingPolicy", 2);
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "PolicyName", "capi-dispatch-worker-backlog-per-task",
                "PolicyType", "TargetTrackingScaling",
                "ScalingTargetId", ref(scalableTarget()),
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "TargetValue", 1000,
                        "CustomizedMetricSpecification", Match.objectEquals(Map.of("Metrics", backlogPerTask(app))))))));
    }

    @Test
    void backlogTargetComesFromContext() {
        Synthesized variant = Synthesized.variant();
        variant.template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "PolicyName", "capi-dispatch-worker-backlog-per-task",
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of("TargetValue", 250)))));
    }

    /** ApproximateNumberOfMessagesVisible ÷ Container Insights' RunningTaskCount of this service. */
    private static List<Object> backlogPerTask(Synthesized app) {
        return List.of(
                Map.of("Id", "visible",
                        "Label", "Messages waiting in capi-dispatch",
                        "ReturnData", false,
                        "MetricStat", Map.of("Stat", "Maximum", "Metric", Map.of(
                                "Namespace", "AWS/SQS",
                                "MetricName", "ApproximateNumberOfMessagesVisible",
                                "Dimensions", List.of(Map.of("Name", "QueueName",
                                        "Value", getAtt(logicalId(app.stack.queues().queue()), "QueueName")))))),
                Map.of("Id", "running",
                        "Label", "Running worker tasks",
                        "ReturnData", false,
                        "MetricStat", Map.of("Stat", "Average", "Metric", Map.of(
                                "Namespace", "ECS/ContainerInsights",
                                "MetricName", "RunningTaskCount",
                                "Dimensions", List.of(
                                        Map.of("Name", "ClusterName", "Value", ref(logicalId(app.stack.worker().cluster()))),
                                        Map.of("Name", "ServiceName",
                                                "Value", getAtt(logicalId(app.stack.worker().service()), "Name")))))),
                Map.of("Id", "backlogPerTask",
                        "Label", "Messages waiting per running task",
                        "Expression", "visible / running",
                        "ReturnData", true));
    }

    private String scalableTarget() {
        return app.resources("AWS::ApplicationAutoScaling::ScalableTarget").keySet().iterator().next();
    }
}
