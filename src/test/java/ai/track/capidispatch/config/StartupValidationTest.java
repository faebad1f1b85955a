package ai.track.capidispatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.track.capidispatch.CapiDispatchWorkerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** Wrong or missing configuration stops start-up with a message that names the variable to set. */
class StartupValidationTest {

    private static final String[] NO_AWS = {"--management.cloudwatch.metrics.export.enabled=false",
        "--spring.cloud.aws.credentials.access-key=test", "--spring.cloud.aws.credentials.secret-key=test"};

    @Test
    void failsStartupNamingSqsQueueUrlWhenItIsMissing() {
        // SQS_QUEUE_URL is absent from the test environment; everything else is set.
        String[] args = with(NO_AWS, "--capi.sqs.dlq-url=http://127.0.0.1:1/000000000000/dlq");

        assertThatThrownBy(() -> worker().run(args))
                .hasStackTraceContaining("must be set: SQS_QUEUE_URL")
                .hasStackTraceContaining("capi.sqs.queueUrl");
    }

    @Test
    void failsStartupNamingTheApiVersionVariableWhenItIsMalformed() {
        String[] args = with(NO_AWS, "--capi.sqs.queue-url=http://127.0.0.1:1/000000000000/q",
                "--capi.sqs.dlq-url=http://127.0.0.1:1/000000000000/dlq", "--META_GRAPH_API_VERSION=26");

        assertThatThrownBy(() -> worker().run(args))
                .hasStackTraceContaining("META_GRAPH_API_VERSION must look like v26.0")
                .satisfies(e -> assertThat(e).hasStackTraceContaining("capi.meta"));
    }

    @Test
    void failsStartupWhenThePollBackOffStartsAboveItsCap() {
        String[] args = with(NO_AWS, "--capi.sqs.queue-url=http://127.0.0.1:1/000000000000/q",
                "--capi.sqs.dlq-url=http://127.0.0.1:1/000000000000/dlq", "--capi.sqs.poll-back-off-initial=30s",
                "--capi.sqs.poll-back-off-max=10s");

        assertThatThrownBy(() -> worker().run(args))
                .hasStackTraceContaining("capi.sqs.poll-back-off-initial must not exceed capi.sqs.poll-back-off-max");
    }

    private static SpringApplicationBuilder worker() {
        return new SpringApplicationBuilder(CapiDispatchWorkerApplication.class).web(WebApplicationType.NONE);
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
