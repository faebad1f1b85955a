package ai.track.capidispatch.infra;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.HorizontalAnnotation;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.SearchExpression;
import software.amazon.awscdk.services.cloudwatch.YAxisProps;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * One CloudWatch dashboard for the worker, read top to bottom: is anything alarming; what happens to the messages;
 * how late they reach Meta and how slow Meta is; the queues; the tasks. docs/operations.md ("Dashboard") explains
 * each widget.
 *
 * <p>Every graph is per minute, the worker's publishing step. CloudWatch runs at most one Metrics Insights query
 * per graph, so a graph holds at most one {@code SELECT}; where a graph needs several of the worker's metrics over
 * all their dimensions, it sums {@code SEARCH} results instead ({@code SUM(SEARCH(...))}), which has no such limit.
 */
public final class WorkerDashboard extends Construct {

    /** The resolution of every graph: the worker publishes once a minute ({@code management.cloudwatch...step}). */
    public static final Duration PERIOD = Duration.minutes(1);
    /** What the dashboard opens on; Metrics Insights graphs can show up to two weeks. */
    public static final Duration DEFAULT_RANGE = Duration.hours(3);

    /**
     * @param queues the main queue and the DLQ
     * @param service the worker service (Container Insights and AWS/ECS dimensions)
     * @param scaling its backlog metric and target are graphed as the policy sees them
     * @param alarms shown in the alarm status widget
     * @param eventAgeP95Threshold drawn on the event age graph, where the p95 alarm fires
     */
    public record Props(DispatchQueues queues, FargateService service, WorkerScaling scaling, WorkerAlarms alarms,
            Duration eventAgeP95Threshold) {
        public Props {
            Objects.requireNonNull(queues, "queues");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(scaling, "scaling");
            Objects.requireNonNull(alarms, "alarms");
            Objects.requireNonNull(eventAgeP95Threshold, "eventAgeP95Threshold");
        }
    }

    private final Dashboard dashboard;
    private final String dashboardName;

    public WorkerDashboard(Construct scope, String id, Props props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        // Dashboards are global to the account, unlike everything else in the stack: the region in the name keeps
        // a deployment in a second region from taking over the first one's dashboard.
        this.dashboardName = stack.getStackName() + "-" + stack.getRegion();
        IQueue queue = props.queues().queue();
        IQueue deadLetterQueue = props.queues().deadLetterQueue();

        this.dashboard = Dashboard.Builder.create(this, "Dashboard")
                .dashboardName(dashboardName)
                .defaultInterval(DEFAULT_RANGE)
                .widgets(List.of(
                        List.<IWidget>of(AlarmStatusWidget.Builder.create()
                                .title("Alarms")
                                .alarms(props.alarms().alarms())
                                .width(24)
                                .height(4)
                                .build()),
                        List.of(outcomes(), errorClasses()),
                        List.of(eventAge(props.eventAgeP95Threshold()), metaRequestLatency(), circuitBreaker()),
                        List.of(perPixel("Event age p95 per pixel, ms", WorkerMetrics.EVENT_AGE_PERCENTILE),
                                perPixel("Meta request latency p95 per pixel, ms", WorkerMetrics.META_REQUEST_LATENCY_PERCENTILE)),
                        List.of(queueDepth(DispatchQueues.QUEUE_NAME, queue),
                                queueDepth(DispatchQueues.DEAD_LETTER_QUEUE_NAME, deadLetterQueue),
                                oldestMessage(queue, deadLetterQueue)),
                        List.of(backlogPerTask(props.scaling()), tasks(props.service()), utilization(props.service()))))
                .build();
    }

    /** Totals per minute: what happened to the messages, and the failed requests behind the retries. */
    private static IWidget outcomes() {
        return graph("Messages per minute by outcome", 12, List.of(
                WorkerMetrics.select("SUM", WorkerMetrics.DISPATCH_SUCCESS, "delivered (DispatchSuccess)", PERIOD),
                sumOverErrorClasses(WorkerMetrics.DISPATCH_RETRY, "left for retry (DispatchRetry)"),
                sumOverErrorClasses(WorkerMetrics.DISPATCH_DEAD_LETTER, "dead-lettered (DispatchDeadLetter)"),
                sumOverErrorClasses(WorkerMetrics.DISPATCH_HELD, "held (DispatchHeld)"),
                sumOverErrorClasses(WorkerMetrics.DISPATCH_FAILURE, "failed Meta requests (DispatchFailure)")))
                .leftYAxis(count())
                .build();
    }

    /** The same counters split by error class: which problem it is. */
    private static IWidget errorClasses() {
        return graph("Retried, dead-lettered, held and failed per error class", 12, List.of(
                linePerErrorClass(WorkerMetrics.DISPATCH_RETRY),
                linePerErrorClass(WorkerMetrics.DISPATCH_DEAD_LETTER),
                linePerErrorClass(WorkerMetrics.DISPATCH_HELD),
                linePerErrorClass(WorkerMetrics.DISPATCH_FAILURE)))
                .leftYAxis(count())
                .build();
    }

    private static IWidget eventAge(Duration p95Threshold) {
        return graph("Event age (SQS sent to Meta accepted), ms: highest task's p50 / p95 / p99", 8, List.of(
                WorkerMetrics.selectPerPercentile("MAX", WorkerMetrics.EVENT_AGE_PERCENTILE, PERIOD)))
                .leftYAxis(milliseconds())
                .leftAnnotations(List.of(HorizontalAnnotation.builder()
                        .value(p95Threshold.toMilliseconds())
                        .label("p95 alarm")
                        .build()))
                .build();
    }

    private static IWidget metaRequestLatency() {
        return graph("Meta request latency, ms: highest task's p50 / p95 / p99", 8, List.of(
                WorkerMetrics.selectPerPercentile("MAX", WorkerMetrics.META_REQUEST_LATENCY_PERCENTILE, PERIOD)))
                .leftYAxis(milliseconds())
                .build();
    }

    private static IWidget circuitBreaker() {
        return graph("Circuit breaker around Meta (0 closed, 1 open, 2 half-open)", 8, List.of(
                WorkerMetrics.select("MAX", WorkerMetrics.CIRCUIT_BREAKER_STATE, "state (highest over tasks)", PERIOD)))
                .leftYAxis(YAxisProps.builder().min(0).max(2).showUnits(false).build())
                .leftAnnotations(List.of(
                        HorizontalAnnotation.builder().value(1).label("open").build(),
                        HorizontalAnnotation.builder().value(2).label("half-open").build()))
                .build();
    }

    /** One line per pixel: which customer's events are late, or whose requests are slow. */
    private static IWidget perPixel(String title, String metricName) {
        return graph(title, 12, List.of(SearchExpression.Builder.create()
                .expression("SEARCH('{\"" + WorkerMetrics.NAMESPACE + "\"," + WorkerMetrics.PERCENTILE + ","
                        + WorkerMetrics.PIXEL_ID + "} MetricName=\"" + metricName + "\" " + WorkerMetrics.PERCENTILE
                        + "=\"" + WorkerMetrics.Percentile.P95.dimensionValue() + "\"', 'Maximum', "
                        + PERIOD.toSeconds() + ")")
                .label("pixel ${PROP('Dim." + WorkerMetrics.PIXEL_ID + "')}")
                .period(PERIOD)
                .build()))
                .leftYAxis(milliseconds())
                .build();
    }

    private static IWidget queueDepth(String name, IQueue queue) {
        return graph(name + ": messages", 8, List.of(
                queue.metricApproximateNumberOfMessagesVisible(gauge("waiting (visible)")),
                queue.metricApproximateNumberOfMessagesNotVisible(gauge("in flight (not visible)"))))
                .leftYAxis(count())
                .build();
    }

    private static IWidget oldestMessage(IQueue queue, IQueue deadLetterQueue) {
        return graph("Age of the oldest message, s", 8, List.of(
                queue.metricApproximateAgeOfOldestMessage(gauge(DispatchQueues.QUEUE_NAME)),
                deadLetterQueue.metricApproximateAgeOfOldestMessage(gauge(DispatchQueues.DEAD_LETTER_QUEUE_NAME))))
                .leftYAxis(YAxisProps.builder().min(0).label("s").showUnits(false).build())
                .leftAnnotations(List.of(HorizontalAnnotation.builder()
                        .value(WorkerAlarms.OLDEST_MESSAGE_AGE_THRESHOLD.toSeconds())
                        .label(DispatchQueues.QUEUE_NAME + " alarm")
                        .build()))
                .build();
    }

    /** The scaling policy's own input, not a look-alike: see WorkerScaling#backlogPerTask. */
    private static IWidget backlogPerTask(WorkerScaling scaling) {
        return graph("Backlog per task (waiting ÷ running tasks)", 8, List.of(scaling.backlogPerTask()))
                .leftYAxis(count())
                .leftAnnotations(List.of(HorizontalAnnotation.builder()
                        .value(scaling.backlogPerTaskTarget())
                        .label("scaling target")
                        .build()))
                .build();
    }

    private static IWidget tasks(FargateService service) {
        return graph("Worker tasks", 8, List.of(
                containerInsights(service, "RunningTaskCount", "running"),
                containerInsights(service, "DesiredTaskCount", "desired")))
                .leftYAxis(count())
                .leftAnnotations(List.of(
                        HorizontalAnnotation.builder().value(WorkerScaling.MIN_TASKS).label("min").build(),
                        HorizontalAnnotation.builder().value(WorkerScaling.MAX_TASKS).label("max").build()))
                .build();
    }

    /** Average over the tasks and the busiest task (Maximum, per AWS/ECS service metrics), of their reservation. */
    private static IWidget utilization(FargateService service) {
        return graph("CPU and memory, % of the task's reservation", 8, List.of(
                service.metricCpuUtilization(stat("Average", "CPU, average")),
                service.metricCpuUtilization(stat("Maximum", "CPU, busiest task")),
                service.metricMemoryUtilization(stat("Average", "memory, average")),
                service.metricMemoryUtilization(stat("Maximum", "memory, busiest task"))))
                .leftYAxis(YAxisProps.builder().min(0).max(100).label("%").showUnits(false).build())
                .leftAnnotations(List.of(HorizontalAnnotation.builder()
                        .value(WorkerScaling.CPU_TARGET_PERCENT)
                        .label("CPU scaling target")
                        .build()))
                .build();
    }

    private static GraphWidget.Builder graph(String title, int width, List<? extends IMetric> metrics) {
        return GraphWidget.Builder.create()
                .title(title)
                .width(width)
                .height(6)
                .period(PERIOD)
                .left(metrics);
    }

    /** One line: a counter summed over all its {@code ErrorClass} series. */
    private static MathExpression sumOverErrorClasses(String metricName, String label) {
        return MathExpression.Builder.create()
                .expression("SUM(" + searchPerErrorClass(metricName) + ")")
                .usingMetrics(Map.of())
                .label(label)
                .period(PERIOD)
                .build();
    }

    /** One line per error class the counter has seen. */
    private static SearchExpression linePerErrorClass(String metricName) {
        return SearchExpression.Builder.create()
                .expression(searchPerErrorClass(metricName))
                .label(metricName + " ${PROP('Dim." + WorkerMetrics.ERROR_CLASS + "')}")
                .period(PERIOD)
                .build();
    }

    private static String searchPerErrorClass(String metricName) {
        return "SEARCH('{\"" + WorkerMetrics.NAMESPACE + "\"," + WorkerMetrics.ERROR_CLASS + "} MetricName=\""
                + metricName + "\"', 'Sum', " + PERIOD.toSeconds() + ")";
    }

    private static Metric containerInsights(FargateService service, String metricName, String label) {
        return Metric.Builder.create()
                .namespace("ECS/ContainerInsights")
                .metricName(metricName)
                .dimensionsMap(Map.of(
                        "ClusterName", service.getCluster().getClusterName(),
                        "ServiceName", service.getServiceName()))
                .statistic("Average")
                .label(label)
                .period(PERIOD)
                .build();
    }

    /** Queue metrics are gauges: Maximum is the value, whatever the number of samples in the minute. */
    private static MetricOptions gauge(String label) {
        return stat("Maximum", label);
    }

    private static MetricOptions stat(String statistic, String label) {
        return MetricOptions.builder().statistic(statistic).label(label).period(PERIOD).build();
    }

    private static YAxisProps count() {
        return YAxisProps.builder().min(0).showUnits(false).build();
    }

    private static YAxisProps milliseconds() {
        return YAxisProps.builder().min(0).label("ms").showUnits(false).build();
    }

    public Dashboard dashboard() {
        return dashboard;
    }

    /** {@code capi-dispatch-worker-<region>}. */
    public String dashboardName() {
        return dashboardName;
    }

    /** Where the dashboard opens in the console (the commercial partition's console). */
    public String consoleUrl() {
        String region = Stack.of(this).getRegion();
        return "https://" + region + ".console.aws.amazon.com/cloudwatch/home?region=" + region
                + "#dashboards/dashboard/" + dashboardName;
    }
}
