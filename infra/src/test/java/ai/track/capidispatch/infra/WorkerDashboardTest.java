package ai.track.capidispatch.infra;

import static ai.track.capidispatch.infra.Cfn.getAttText;
import static ai.track.capidispatch.infra.Cfn.logicalId;
import static ai.track.capidispatch.infra.Cfn.refText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard as CloudWatch will read it: its body parsed, with the template's references still visible. */
class WorkerDashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Synthesized app = Synthesized.committed();
    private final Map<String, Object> body = body(app);
    private final String queue = getAttText(logicalId(app.stack.queues().queue()), "QueueName");
    private final String dlq = getAttText(logicalId(app.stack.queues().deadLetterQueue()), "QueueName");
    private final String cluster = refText(logicalId(app.stack.worker().cluster()));
    private final String service = getAttText(logicalId(app.stack.worker().service()), "Name");

    @Test
    void namedAfterTheStackAndItsRegionAndPublishedAsOutputs() {
        Map<String, Object> joined = Map.of("Fn::Join", List.of("", List.of("capi-dispatch-worker-", Map.of("Ref", "AWS::Region"))));
        assertEquals(joined, dashboardProperties(app).get("DashboardName"));
        Map<?, ?> outputs = (Map<?, ?>) app.json.get("Outputs");
        assertEquals(joined, ((Map<?, ?>) outputs.get("DashboardName")).get("Value"));

        Synthesized variant = Synthesized.variant();
        assertEquals("capi-dispatch-worker-eu-west-1", dashboardProperties(variant).get("DashboardName"));
        Map<?, ?> variantOutputs = (Map<?, ?>) variant.json.get("Outputs");
        assertEquals("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
                        + "#dashboards/dashboard/capi-dispatch-worker-eu-west-1",
                ((Map<?, ?>) variantOutputs.get("DashboardUrl")).get("Value"));
    }

    @Test
    void opensOnTheLastThreeHoursWithTheWidgetsInReadingOrder() {
        assertEquals("-PT3H", body.get("start"));
        assertEquals(List.of(
                "Alarms",
                "Messages per minute by outcome",
                "Retried, dead-lettered, held and failed per error class",
                "Event age (SQS sent to Meta accepted), ms: highest task's p50 / p95 / p99",
                "Meta request latency, ms: highest task's p50 / p95 / p99",
                "Circuit breaker around Meta (0 closed, 1 open, 2 half-open)",
                "Event age p95 per pixel, ms",
                "Meta request latency p95 per pixel, ms",
                "capi-dispatch: messages",
                "capi-dispatch-dlq: messages",
                "Age of the oldest message, s",
                "Backlog per task (waiting ÷ running tasks)",
                "Worker tasks",
                "CPU and memory, % of the task's reservation"),
                widgets(body).stream().map(w -> properties(w).get("title")).toList());
        // Every graph per minute, the worker's publishing step.
        metricWidgets(body).forEach(w -> assertEquals(60, properties(w).get("period"), String.valueOf(properties(w).get("title"))));
    }

    @Test
    void alarmWidgetShowsEveryAlarmOfTheStack() {
        List<String> alarms = app.resources("AWS::CloudWatch::Alarm").keySet().stream()
                .map(id -> getAttText(id, "Arn")).toList();
        assertEquals(8, alarms.size());
        Map<String, Object> widget = widgets(body).get(0);
        assertEquals("alarm", widget.get("type"));
        assertEquals(24, widget.get("width"));
        assertEquals(alarms, properties(widget).get("alarms"));
    }

    @Test
    void outcomesSumTheWorkersCountersOverEveryErrorClass() {
        Map<String, Object> widget = graph("Messages per minute by outcome");
        assertEquals(List.of(
                "SELECT SUM(\"DispatchSuccess\") FROM \"Track-AI/CAPI\"",
                "SUM(SEARCH('{\"Track-AI/CAPI\",ErrorClass} MetricName=\"DispatchRetry\"', 'Sum', 60))",
                "SUM(SEARCH('{\"Track-AI/CAPI\",ErrorClass} MetricName=\"DispatchDeadLetter\"', 'Sum', 60))",
                "SUM(SEARCH('{\"Track-AI/CAPI\",ErrorClass} MetricName=\"DispatchHeld\"', 'Sum', 60))",
                "SUM(SEARCH('{\"Track-AI/CAPI\",ErrorClass} MetricName=\"DispatchFailure\"', 'Sum', 60))"),
                expressions(widget));
        assertEquals(List.of("delivered (DispatchSuccess)", "left for retry (DispatchRetry)",
                "dead-lettered (DispatchDeadLetter)", "held (DispatchHeld)", "failed Meta requests (DispatchFailure)"),
                labels(widget));
    }

    @Test
    void errorClassGraphHasALinePerClassOfEachCounter() {
        Map<String, Object> widget = graph("Retried, dead-lettered, held and failed per error class");
        List<String> counters = List.of("DispatchRetry", "DispatchDeadLetter", "DispatchHeld", "DispatchFailure");
        assertEquals(counters.stream()
                        .map(c -> "SEARCH('{\"Track-AI/CAPI\",ErrorClass} MetricName=\"" + c + "\"', 'Sum', 60)").toList(),
                expressions(widget));
        assertEquals(counters.stream().map(c -> c + " ${PROP('Dim.ErrorClass')}").toList(), labels(widget));
    }

    /** Client-side percentiles of different tasks cannot be averaged: the highest task's, per percentile. */
    @Test
    void percentilesAreTheHighestOverTasksAndPixelsOnePerPercentile() {
        Map<String, Object> eventAge = graph("Event age (SQS sent to Meta accepted), ms: highest task's p50 / p95 / p99");
        assertEquals(List.of("SELECT MAX(\"EventAgePercentile\") FROM \"Track-AI/CAPI\" GROUP BY Percentile"),
                expressions(eventAge));
        // No label of ours: CloudWatch names the three series p50, p95, p99 by their group.
        assertEquals(List.of(), labels(eventAge));
        assertEquals(List.of(Map.of("value", 60_000, "label", "p95 alarm", "yAxis", "left")), horizontalAnnotations(eventAge));

        Map<String, Object> metaLatency = graph("Meta request latency, ms: highest task's p50 / p95 / p99");
        assertEquals(List.of("SELECT MAX(\"MetaRequestLatencyPercentile\") FROM \"Track-AI/CAPI\" GROUP BY Percentile"),
                expressions(metaLatency));
    }

    @Test
    void eventAgeGraphMarksTheThresholdFromContext() {
        Map<String, Object> eventAge = graph(body(Synthesized.variant()),
                "Event age (SQS sent to Meta accepted), ms: highest task's p50 / p95 / p99");
        assertEquals(List.of(Map.of("value", 120_000, "label", "p95 alarm", "yAxis", "left")), horizontalAnnotations(eventAge));
    }

    @Test
    void p95PerPixelSearchesEveryPixelId() {
        for (String[] graph : List.of(
                new String[] {"Event age p95 per pixel, ms", "EventAgePercentile"},
                new String[] {"Meta request latency p95 per pixel, ms", "MetaRequestLatencyPercentile"})) {
            Map<String, Object> widget = graph(graph[0]);
            assertEquals(List.of("SEARCH('{\"Track-AI/CAPI\",Percentile,PixelId} MetricName=\"" + graph[1]
                    + "\" Percentile=\"p95\"', 'Maximum', 60)"), expressions(widget));
            assertEquals(List.of("pixel ${PROP('Dim.PixelId')}"), labels(widget));
        }
    }

    @Test
    void circuitBreakerIsTheHighestStateOverTasks() {
        Map<String, Object> widget = graph("Circuit breaker around Meta (0 closed, 1 open, 2 half-open)");
        assertEquals(List.of("SELECT MAX(\"CircuitBreakerState\") FROM \"Track-AI/CAPI\""), expressions(widget));
        assertEquals(Map.of("min", 0, "max", 2, "showUnits", false), ((Map<?, ?>) properties(widget).get("yAxis")).get("left"));
    }

    /** CloudWatch runs one Metrics Insights query per graph; a second one would break the widget. */
    @Test
    void noGraphHoldsMoreThanOneMetricsInsightsQuery() {
        metricWidgets(body).forEach(widget -> assertTrue(
                expressions(widget).stream().filter(e -> e.startsWith("SELECT ")).count() <= 1,
                String.valueOf(properties(widget).get("title"))));
    }

    @Test
    void bothQueuesDepthAndOldestMessageByTheirNames() {
        assertEquals(List.of(
                        sqsRow("ApproximateNumberOfMessagesVisible", queue, "waiting (visible)"),
                        sqsRow("ApproximateNumberOfMessagesNotVisible", queue, "in flight (not visible)")),
                metrics(graph("capi-dispatch: messages")));
        assertEquals(List.of(
                        sqsRow("ApproximateNumberOfMessagesVisible", dlq, "waiting (visible)"),
                        sqsRow("ApproximateNumberOfMessagesNotVisible", dlq, "in flight (not visible)")),
                metrics(graph("capi-dispatch-dlq: messages")));
        Map<String, Object> oldest = graph("Age of the oldest message, s");
        assertEquals(List.of(
                        sqsRow("ApproximateAgeOfOldestMessage", queue, "capi-dispatch"),
                        sqsRow("ApproximateAgeOfOldestMessage", dlq, "capi-dispatch-dlq")),
                metrics(oldest));
        assertEquals(List.of(Map.of("value", 900, "label", "capi-dispatch alarm", "yAxis", "left")),
                horizontalAnnotations(oldest));
    }

    /** The same inputs as the scaling policy (WorkerScalingTest asserts those), and its target as a line. */
    @Test
    void backlogPerTaskIsTheScalingPolicysOwnMath() {
        Map<String, Object> widget = graph("Backlog per task (waiting ÷ running tasks)");
        assertEquals(List.of(
                List.of(Map.of("label", "Messages waiting per running task", "expression", "visible / running", "period", 60)),
                List.of("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue, Map.of(
                        "label", "Messages waiting in capi-dispatch", "id", "visible", "visible", false,
                        "period", 60, "stat", "Maximum")),
                List.of("ECS/ContainerInsights", "RunningTaskCount", "ClusterName", cluster, "ServiceName", service, Map.of(
                        "label", "Running worker tasks", "id", "running", "visible", false, "period", 60))),
                metrics(widget));
        assertEquals(List.of(Map.of("value", 1000, "label", "scaling target", "yAxis", "left")), horizontalAnnotations(widget));

        Map<String, Object> variant = graph(body(Synthesized.variant()), "Backlog per task (waiting ÷ running tasks)");
        assertEquals(250, horizontalAnnotations(variant).get(0).get("value"));
    }

    @Test
    void tasksCpuAndMemoryOfTheService() {
        assertEquals(List.of(
                        List.of("ECS/ContainerInsights", "RunningTaskCount", "ClusterName", cluster, "ServiceName", service,
                                Map.of("label", "running", "period", 60)),
                        List.of("ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", cluster, "ServiceName", service,
                                Map.of("label", "desired", "period", 60))),
                metrics(graph("Worker tasks")));
        // Average is the statistic CloudWatch uses when none is given; Maximum is the busiest task.
        assertEquals(List.of(
                        List.of("AWS/ECS", "CPUUtilization", "ClusterName", cluster, "ServiceName", service,
                                Map.of("label", "CPU, average", "period", 60)),
                        List.of("AWS/ECS", "CPUUtilization", "ClusterName", cluster, "ServiceName", service,
                                Map.of("label", "CPU, busiest task", "period", 60, "stat", "Maximum")),
                        List.of("AWS/ECS", "MemoryUtilization", "ClusterName", cluster, "ServiceName", service,
                                Map.of("label", "memory, average", "period", 60)),
                        List.of("AWS/ECS", "MemoryUtilization", "ClusterName", cluster, "ServiceName", service,
                                Map.of("label", "memory, busiest task", "period", 60, "stat", "Maximum"))),
                metrics(graph("CPU and memory, % of the task's reservation")));
    }

    private static List<Object> sqsRow(String metricName, String queueName, String label) {
        return List.of("AWS/SQS", metricName, "QueueName", queueName, Map.of("label", label, "period", 60, "stat", "Maximum"));
    }

    private static Map<?, ?> dashboardProperties(Synthesized app) {
        Map<String, Map<String, Object>> dashboards = app.resources("AWS::CloudWatch::Dashboard");
        assertEquals(1, dashboards.size());
        return (Map<?, ?>) dashboards.values().iterator().next().get("Properties");
    }

    private static Map<String, Object> body(Synthesized app) {
        try {
            return JSON.readValue(Cfn.joined(dashboardProperties(app).get("DashboardBody")), new TypeReference<>() { });
        } catch (JsonProcessingException e) {
            throw new AssertionError("the dashboard body is not JSON", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> widgets(Map<String, Object> body) {
        return (List<Map<String, Object>>) body.get("widgets");
    }

    private static List<Map<String, Object>> metricWidgets(Map<String, Object> body) {
        return widgets(body).stream().filter(w -> "metric".equals(w.get("type"))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> widget) {
        return (Map<String, Object>) widget.get("properties");
    }

    private Map<String, Object> graph(String title) {
        return graph(body, title);
    }

    private static Map<String, Object> graph(Map<String, Object> body, String title) {
        List<Map<String, Object>> found = metricWidgets(body).stream().filter(w -> title.equals(properties(w).get("title"))).toList();
        assertEquals(1, found.size(), "graphs titled " + title);
        return found.get(0);
    }

    @SuppressWarnings("unchecked")
    private static List<List<Object>> metrics(Map<String, Object> widget) {
        return (List<List<Object>>) properties(widget).get("metrics");
    }

    /** The options object that ends each metric row. */
    private static List<Map<?, ?>> options(Map<String, Object> widget) {
        List<Map<?, ?>> options = new ArrayList<>();
        metrics(widget).forEach(row -> options.add((Map<?, ?>) row.get(row.size() - 1)));
        return options;
    }

    private static List<String> expressions(Map<String, Object> widget) {
        return options(widget).stream().filter(o -> o.containsKey("expression")).map(o -> (String) o.get("expression")).toList();
    }

    private static List<String> labels(Map<String, Object> widget) {
        return options(widget).stream().filter(o -> o.containsKey("label")).map(o -> (String) o.get("label")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> horizontalAnnotations(Map<String, Object> widget) {
        Map<String, Object> annotations = (Map<String, Object>) properties(widget).get("annotations");
        assertFalse(annotations == null, "no annotations on " + properties(widget).get("title"));
        return (List<Map<String, Object>>) annotations.get("horizontal");
    }
}
