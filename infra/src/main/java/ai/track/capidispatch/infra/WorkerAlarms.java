package ai.track.capidispatch.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * The alarms an operator must hear about, all notifying one SNS topic (given by ARN, or created here), on alarm
 * and on recovery.
 *
 * <p>Queue metrics are gauges, so every alarm on them uses {@code Maximum}: the original design's {@code Sum}
 * over a period adds up samples of the same backlog and fires on a single message sampled several times.
 * The worker's own metrics are read with Metrics Insights queries over every series ({@link WorkerMetrics} says
 * why), so they keep working when a new error class or pixel appears.
 */
public final class WorkerAlarms extends Construct {

    public static final String TOPIC_NAME = "capi-dispatch-alarms";
    public static final int QUEUE_DEPTH_THRESHOLD = 1000;
    public static final Duration OLDEST_MESSAGE_AGE_THRESHOLD = Duration.minutes(15);
    /**
     * Five one-minute periods in a row: a single late minute (a burst drained, one slow Meta answer) is not worth
     * a page, a late quarter of events for five minutes is.
     */
    public static final int EVENT_AGE_EVALUATION_PERIODS = 5;

    /**
     * @param queues the main queue and the DLQ
     * @param service the worker service (cluster and service name for Container Insights)
     * @param alarmTopicArn an existing SNS topic, or {@code null} to create {@value #TOPIC_NAME}
     * @param dispatchFailureThreshold failed Meta requests per 5 minutes that count as high
     * @param eventAgeP95Threshold the p95 event age (SQS sent → Meta accepted) above which events count as late
     */
    public record Props(DispatchQueues queues, FargateService service, String alarmTopicArn, int dispatchFailureThreshold,
            Duration eventAgeP95Threshold) {
        public Props {
            Objects.requireNonNull(queues, "queues");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(eventAgeP95Threshold, "eventAgeP95Threshold");
            if (dispatchFailureThreshold <= 0) {
                throw new IllegalArgumentException("dispatchFailureThreshold must be positive");
            }
            if (eventAgeP95Threshold.toSeconds().intValue() <= 0) {
                throw new IllegalArgumentException("eventAgeP95Threshold must be at least a second");
            }
        }
    }

    private final ITopic topic;
    private final List<Alarm> alarms = new ArrayList<>();

    public WorkerAlarms(Construct scope, String id, Props props) {
        super(scope, id);
        this.topic = props.alarmTopicArn() != null
                ? Topic.fromTopicArn(this, "Topic", props.alarmTopicArn())
                : createTopic();

        String queueName = props.queues().queue().getQueueName();
        String deadLetterQueueName = props.queues().deadLetterQueue().getQueueName();

        alarm("QueueDepth", "capi-dispatch-queue-depth",
                "More than " + QUEUE_DEPTH_THRESHOLD + " messages have waited in capi-dispatch for 15 minutes:"
                        + " the workers do not keep up even after scaling (Meta slow or throttling, tasks at max?)",
                sqs("ApproximateNumberOfMessagesVisible", queueName, "Maximum", Duration.minutes(5)),
                QUEUE_DEPTH_THRESHOLD, ComparisonOperator.GREATER_THAN_THRESHOLD, 3, TreatMissingData.NOT_BREACHING);

        // An empty, idle DLQ publishes no data points: missing data is "nothing dead-lettered".
        alarm("DeadLetters", "capi-dispatch-dlq-not-empty",
                "capi-dispatch-dlq holds messages: read their capi-error-* attributes, fix, then redrive (docs/deploy.md)",
                sqs("ApproximateNumberOfMessagesVisible", deadLetterQueueName, "Maximum", Duration.minutes(1)),
                0, ComparisonOperator.GREATER_THAN_THRESHOLD, 1, TreatMissingData.NOT_BREACHING);

        alarm("OldestMessageAge", "capi-dispatch-oldest-message-age",
                "A message has waited in capi-dispatch for more than 15 minutes: held (token, permission, API version),"
                        + " breaker open, or workers not consuming",
                sqs("ApproximateAgeOfOldestMessage", queueName, "Maximum", Duration.minutes(1)),
                OLDEST_MESSAGE_AGE_THRESHOLD.toSeconds(), ComparisonOperator.GREATER_THAN_THRESHOLD, 5,
                TreatMissingData.NOT_BREACHING);

        // Container Insights' RunningTaskCount (the original's "TaskCount" metric does not exist). No data means no
        // task reports at all, which is the worst case, so it counts as breaching.
        alarm("RunningTasks", "capi-dispatch-worker-running-tasks",
                "Fewer than " + WorkerScaling.MIN_TASKS + " worker tasks running for 3 minutes",
                Metric.Builder.create()
                        .namespace("ECS/ContainerInsights")
                        .metricName("RunningTaskCount")
                        .dimensionsMap(Map.of(
                                "ClusterName", props.service().getCluster().getClusterName(),
                                "ServiceName", props.service().getServiceName()))
                        .statistic("Minimum")
                        .period(Duration.minutes(1))
                        .build(),
                WorkerScaling.MIN_TASKS, ComparisonOperator.LESS_THAN_THRESHOLD, 3, TreatMissingData.BREACHING);

        alarm("DispatchFailures", "capi-dispatch-failures",
                "More than " + props.dispatchFailureThreshold() + " failed Meta requests per 5 minutes, twice in a row"
                        + " (DispatchFailure, all error classes): see the DispatchAttempt log records",
                WorkerMetrics.select("SUM", WorkerMetrics.DISPATCH_FAILURE, "Failed Meta requests", Duration.minutes(5)),
                props.dispatchFailureThreshold(), ComparisonOperator.GREATER_THAN_THRESHOLD, 2,
                TreatMissingData.NOT_BREACHING);

        // 1 while the breaker around Meta is open, 2 while it probes: Meta is failing for everyone.
        alarm("CircuitBreakerOpen", "capi-dispatch-circuit-breaker-open",
                "The circuit breaker around Meta's API is open: consumption is paused, messages wait in the queue",
                WorkerMetrics.select("MAX", WorkerMetrics.CIRCUIT_BREAKER_STATE, "Circuit breaker state (1 open, 2 half-open)",
                        Duration.minutes(1)),
                1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 1, TreatMissingData.NOT_BREACHING);

        // Held: not the events' fault (token rejected, permission missing, API version retired, something other
        // than Meta answering). Nothing is delivered until an operator acts, so a single held message is worth a page.
        alarm("Held", "capi-dispatch-held",
                "Messages are held (DispatchHeld): Meta rejected the token or a permission, the Graph API version is"
                        + " retired, or something other than Meta answered (ErrorClass NON_META_RESPONSE or"
                        + " REQUEST_TOO_LARGE: check META_GRAPH_URL and any proxy). Check the ERROR log lines and the"
                        + " secret",
                WorkerMetrics.select("SUM", WorkerMetrics.DISPATCH_HELD, "Held messages", Duration.minutes(1)),
                0, ComparisonOperator.GREATER_THAN_THRESHOLD, 1, TreatMissingData.NOT_BREACHING);

        // p95, not p50 or p99: "events reach Meta late" is about the bulk of them, and p99 of one task's minute is
        // a handful of events (a retried one after its backoff). MAX over tasks and pixels: client-side
        // percentiles cannot be averaged, and the latest task or pixel is the one the alarm is for. The worker
        // publishes nothing while it delivers nothing, which is not lateness (the queue-age alarm covers a stall).
        int thresholdSeconds = props.eventAgeP95Threshold().toSeconds().intValue();
        alarm("EventAgeP95", "capi-dispatch-event-age-p95",
                "The p95 event age (SQS sent to Meta accepted, highest over tasks and pixels) has been above "
                        + thresholdSeconds + " s for " + EVENT_AGE_EVALUATION_PERIODS + " minutes: events reach Meta"
                        + " late. Backlog (tasks at max?), retries, or Meta slow: see the dashboard's latency and"
                        + " queue widgets",
                WorkerMetrics.select("MAX", WorkerMetrics.EVENT_AGE_PERCENTILE, WorkerMetrics.Percentile.P95,
                        "Event age p95, ms (highest over tasks and pixels)", Duration.minutes(1)),
                props.eventAgeP95Threshold().toMilliseconds(), ComparisonOperator.GREATER_THAN_THRESHOLD, EVENT_AGE_EVALUATION_PERIODS,
                TreatMissingData.NOT_BREACHING);
    }

    private Topic createTopic() {
        Topic created = Topic.Builder.create(this, "Topic")
                .topicName(TOPIC_NAME)
                .displayName("capi-dispatch-worker alarms")
                .enforceSsl(true)
                .build();
        NagSuppressions.addResourceSuppressions(created, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-SNS2")
                .reason("Alarm notifications carry alarm names and metric values only, no customer data or secrets."
                        + " Encrypting would need a customer-managed KMS key whose policy admits CloudWatch"
                        + " (the AWS-managed SNS key does not), for no protection gained.")
                .build()));
        return created;
    }

    private static Metric sqs(String metricName, String queueName, String statistic, Duration period) {
        return Metric.Builder.create()
                .namespace("AWS/SQS")
                .metricName(metricName)
                .dimensionsMap(Map.of("QueueName", queueName))
                .statistic(statistic)
                .period(period)
                .build();
    }

    private void alarm(String id, String name, String description, IMetric metric, Number threshold,
            ComparisonOperator comparison, int evaluationPeriods, TreatMissingData missingData) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmName(name)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .comparisonOperator(comparison)
                .evaluationPeriods(evaluationPeriods)
                .datapointsToAlarm(evaluationPeriods)
                .treatMissingData(missingData)
                .build();
        SnsAction action = new SnsAction(topic);
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        alarms.add(alarm);
    }

    public ITopic topic() {
        return topic;
    }

    /** Every alarm, in the order they were defined (the dashboard's alarm widget shows them). */
    public List<Alarm> alarms() {
        return List.copyOf(alarms);
    }
}
