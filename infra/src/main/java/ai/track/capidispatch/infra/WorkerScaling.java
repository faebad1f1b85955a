package ai.track.capidispatch.infra;

import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalingPolicy;
import software.amazon.awscdk.services.applicationautoscaling.EnableScalingProps;
import software.amazon.awscdk.services.applicationautoscaling.ScalableTarget;
import software.amazon.awscdk.services.ecs.CpuUtilizationScalingProps;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.ScalableTaskCount;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * Task count between 2 and 10, driven by two target-tracking policies. Application Auto Scaling scales out when
 * either asks for more tasks and scales in only when both agree, so CPU and backlog cannot fight each other.
 *
 * <ul>
 *   <li><b>Backlog per task</b> (the one that matters for an I/O-bound queue worker): messages visible in
 *       {@code capi-dispatch} ÷ running tasks, kept at {@code backlogPerTaskTarget}. The target is the backlog one
 *       task drains within the acceptable wait: acceptable latency ÷ per-message processing time per task
 *       (docs/deploy.md). Raw queue depth, as in the original design, does not scale proportionally: 2,000
 *       messages mean something else for 2 tasks than for 10.</li>
 *   <li><b>CPU 70 %</b>: the guard for the case where the worker is CPU-bound after all (hashing, JSON, start-up
 *       on a quarter vCPU).</li>
 * </ul>
 *
 * <p>The CDK's high-level {@code scaleToTrackCustomMetric} accepts a single metric only and refuses metric math,
 * hence the L1 {@link CfnScalingPolicy} with {@code customizedMetricSpecification.metrics}.
 */
public final class WorkerScaling extends Construct {

    public static final int MIN_TASKS = 2;
    public static final int MAX_TASKS = 10;
    public static final int CPU_TARGET_PERCENT = 70;
    /** Add tasks within a minute of the alarm; remove them only after the backlog has stayed low for a while. */
    public static final Duration SCALE_OUT_COOLDOWN = Duration.seconds(60);
    public static final Duration SCALE_IN_COOLDOWN = Duration.seconds(300);

    /**
     * @param service the worker service
     * @param queue the queue whose backlog is shared out among the tasks
     * @param backlogPerTaskTarget messages waiting per running task to keep to
     */
    public record Props(FargateService service, IQueue queue, int backlogPerTaskTarget) {
        public Props {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(queue, "queue");
            if (backlogPerTaskTarget <= 0) {
                throw new IllegalArgumentException("backlogPerTaskTarget must be positive, not " + backlogPerTaskTarget);
            }
        }
    }

    private final ScalableTaskCount taskCount;
    private final CfnScalingPolicy backlogPolicy;

    public WorkerScaling(Construct scope, String id, Props props) {
        super(scope, id);

        this.taskCount = props.service().autoScaleTaskCount(EnableScalingProps.builder()
                .minCapacity(MIN_TASKS)
                .maxCapacity(MAX_TASKS)
                .build());

        taskCount.scaleOnCpuUtilization("Cpu", CpuUtilizationScalingProps.builder()
                .policyName("capi-dispatch-worker-cpu")
                .targetUtilizationPercent(CPU_TARGET_PERCENT)
                .scaleOutCooldown(SCALE_OUT_COOLDOWN)
                .scaleInCooldown(SCALE_IN_COOLDOWN)
                .build());

        this.backlogPolicy = CfnScalingPolicy.Builder.create(this, "BacklogPerTask")
                .policyName("capi-dispatch-worker-backlog-per-task")
                .policyType("TargetTrackingScaling")
                .scalingTargetId(scalableTarget(taskCount).getScalableTargetId())
                .targetTrackingScalingPolicyConfiguration(
                        CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty.builder()
                                .targetValue(props.backlogPerTaskTarget())
                                .scaleOutCooldown(SCALE_OUT_COOLDOWN.toSeconds())
                                .scaleInCooldown(SCALE_IN_COOLDOWN.toSeconds())
                                .customizedMetricSpecification(backlogPerTask(props))
                                .build())
                .build();
    }

    private static CfnScalingPolicy.CustomizedMetricSpecificationProperty backlogPerTask(Props props) {
        FargateService service = props.service();
        CfnScalingPolicy.TargetTrackingMetricDataQueryProperty visible =
                CfnScalingPolicy.TargetTrackingMetricDataQueryProperty.builder()
                        .id("visible")
                        .label("Messages waiting in capi-dispatch")
                        .metricStat(CfnScalingPolicy.TargetTrackingMetricStatProperty.builder()
                                .metric(CfnScalingPolicy.TargetTrackingMetricProperty.builder()
                                        .namespace("AWS/SQS")
                                        .metricName("ApproximateNumberOfMessagesVisible")
                                        .dimensions(List.of(dimension("QueueName", props.queue().getQueueName())))
                                        .build())
                                // A gauge: Maximum is its value whatever the number of samples in the minute.
                                .stat("Maximum")
                                .build())
                        .returnData(false)
                        .build();
        CfnScalingPolicy.TargetTrackingMetricDataQueryProperty running =
                CfnScalingPolicy.TargetTrackingMetricDataQueryProperty.builder()
                        .id("running")
                        .label("Running worker tasks")
                        .metricStat(CfnScalingPolicy.TargetTrackingMetricStatProperty.builder()
                                .metric(CfnScalingPolicy.TargetTrackingMetricProperty.builder()
                                        .namespace("ECS/ContainerInsights")
                                        .metricName("RunningTaskCount")
                                        .dimensions(List.of(
                                                dimension("ClusterName", service.getCluster().getClusterName()),
                                                dimension("ServiceName", service.getServiceName())))
                                        .build())
                                .stat("Average")
                                .build())
                        .returnData(false)
                        .build();
        CfnScalingPolicy.TargetTrackingMetricDataQueryProperty backlog =
                CfnScalingPolicy.TargetTrackingMetricDataQueryProperty.builder()
                        .id("backlogPerTask")
                        .label("Messages waiting per running task")
                        .expression("visible / running")
                        .returnData(true)
                        .build();
        return CfnScalingPolicy.CustomizedMetricSpecificationProperty.builder()
                .metrics(List.of(visible, running, backlog))
                .build();
    }

    /** The target the task count registered; ScalableTaskCount keeps it as its child "Target". */
    private static ScalableTarget scalableTarget(ScalableTaskCount taskCount) {
        return (ScalableTarget) taskCount.getNode().findChild("Target");
    }

    private static CfnScalingPolicy.TargetTrackingMetricDimensionProperty dimension(String name, String value) {
        return CfnScalingPolicy.TargetTrackingMetricDimensionProperty.builder().name(name).value(value).build();
    }

    public ScalableTaskCount taskCount() {
        return taskCount;
    }

    public CfnScalingPolicy backlogPolicy() {
        return backlogPolicy;
    }
}
