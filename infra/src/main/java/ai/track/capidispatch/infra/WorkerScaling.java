package ai.track.capidispatch.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalingPolicy;
import software.amazon.awscdk.services.applicationautoscaling.EnableScalingProps;
import software.amazon.awscdk.services.applicationautoscaling.ScalableTarget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
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
    public static final String BACKLOG_PER_TASK_LABEL = "Messages waiting per running task";

    /** Target tracking evaluates customized metrics per minute; the dashboard graphs the same resolution. */
    private static final Duration EVALUATION_PERIOD = Duration.minutes(1);
    private static final String VISIBLE_ID = "visible";
    private static final String RUNNING_ID = "running";
    private static final String BACKLOG_PER_TASK_EXPRESSION = VISIBLE_ID + " / " + RUNNING_ID;

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
    private final MathExpression backlogPerTask;
    private final int backlogPerTaskTarget;

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

        List<Input> inputs = backlogInputs(props);
        this.backlogPolicy = CfnScalingPolicy.Builder.create(this, "BacklogPerTask")
                .policyName("capi-dispatch-worker-backlog-per-task")
                .policyType("TargetTrackingScaling")
                .scalingTargetId(scalableTarget(taskCount).getScalableTargetId())
                .targetTrackingScalingPolicyConfiguration(
                        CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty.builder()
                                .targetValue(props.backlogPerTaskTarget())
                                .scaleOutCooldown(SCALE_OUT_COOLDOWN.toSeconds())
                                .scaleInCooldown(SCALE_IN_COOLDOWN.toSeconds())
                                .customizedMetricSpecification(backlogPolicyMetrics(inputs))
                                .build())
                .build();
        this.backlogPerTask = backlogPerTaskMetric(inputs);
        this.backlogPerTaskTarget = props.backlogPerTaskTarget();
    }

    /**
     * One input of the backlog math. Written down once and rendered twice, for the scaling policy (an L1 property)
     * and for the dashboard (a CDK metric), so the graph an operator reads is the number the policy tracks.
     *
     * @param dimensions name and value, in the order the policy lists them
     */
    private record Input(String id, String label, String namespace, String metricName,
            List<Map.Entry<String, String>> dimensions, String statistic) {

        CfnScalingPolicy.TargetTrackingMetricDataQueryProperty toQuery() {
            return CfnScalingPolicy.TargetTrackingMetricDataQueryProperty.builder()
                    .id(id)
                    .label(label)
                    .metricStat(CfnScalingPolicy.TargetTrackingMetricStatProperty.builder()
                            .metric(CfnScalingPolicy.TargetTrackingMetricProperty.builder()
                                    .namespace(namespace)
                                    .metricName(metricName)
                                    .dimensions(dimensions.stream()
                                            .map(d -> CfnScalingPolicy.TargetTrackingMetricDimensionProperty.builder()
                                                    .name(d.getKey()).value(d.getValue()).build())
                                            .toList())
                                    .build())
                            .stat(statistic)
                            .build())
                    .returnData(false)
                    .build();
        }

        Metric toMetric() {
            Map<String, String> dimensionsMap = new LinkedHashMap<>();
            dimensions.forEach(d -> dimensionsMap.put(d.getKey(), d.getValue()));
            return Metric.Builder.create()
                    .namespace(namespace)
                    .metricName(metricName)
                    .dimensionsMap(dimensionsMap)
                    .statistic(statistic)
                    .label(label)
                    .period(EVALUATION_PERIOD)
                    .build();
        }
    }

    private static List<Input> backlogInputs(Props props) {
        FargateService service = props.service();
        return List.of(
                new Input(VISIBLE_ID, "Messages waiting in capi-dispatch", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                        List.of(Map.entry("QueueName", props.queue().getQueueName())),
                        // A gauge: Maximum is its value whatever the number of samples in the minute.
                        "Maximum"),
                new Input(RUNNING_ID, "Running worker tasks", "ECS/ContainerInsights", "RunningTaskCount",
                        List.of(Map.entry("ClusterName", service.getCluster().getClusterName()),
                                Map.entry("ServiceName", service.getServiceName())),
                        "Average"));
    }

    private static CfnScalingPolicy.CustomizedMetricSpecificationProperty backlogPolicyMetrics(List<Input> inputs) {
        List<CfnScalingPolicy.TargetTrackingMetricDataQueryProperty> metrics = new ArrayList<>();
        inputs.forEach(input -> metrics.add(input.toQuery()));
        metrics.add(CfnScalingPolicy.TargetTrackingMetricDataQueryProperty.builder()
                .id("backlogPerTask")
                .label(BACKLOG_PER_TASK_LABEL)
                .expression(BACKLOG_PER_TASK_EXPRESSION)
                .returnData(true)
                .build());
        return CfnScalingPolicy.CustomizedMetricSpecificationProperty.builder().metrics(metrics).build();
    }

    private static MathExpression backlogPerTaskMetric(List<Input> inputs) {
        Map<String, IMetric> using = new LinkedHashMap<>();
        inputs.forEach(input -> using.put(input.id(), input.toMetric()));
        return MathExpression.Builder.create()
                .expression(BACKLOG_PER_TASK_EXPRESSION)
                .usingMetrics(using)
                .label(BACKLOG_PER_TASK_LABEL)
                .period(EVALUATION_PERIOD)
                .build();
    }

    /** The target the task count registered; ScalableTaskCount keeps it as its child "Target". */
    private static ScalableTarget scalableTarget(ScalableTaskCount taskCount) {
        return (ScalableTarget) taskCount.getNode().findChild("Target");
    }

    public ScalableTaskCount taskCount() {
        return taskCount;
    }

    public CfnScalingPolicy backlogPolicy() {
        return backlogPolicy;
    }

    /** The number the backlog policy tracks, as a metric to graph: visible messages ÷ running tasks. */
    public MathExpression backlogPerTask() {
        return backlogPerTask;
    }

    public int backlogPerTaskTarget() {
        return backlogPerTaskTarget;
    }
}
