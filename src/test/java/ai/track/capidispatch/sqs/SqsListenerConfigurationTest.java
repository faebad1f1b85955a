package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import io.awspring.cloud.sqs.listener.QueueNotFoundStrategy;
import ai.track.capidispatch.support.EmbeddedSqs;
import ai.track.capidispatch.support.TestInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.retry.backoff.BackOffContext;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;
import software.amazon.awssdk.http.HttpMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;
import software.amazon.awssdk.services.sqs.model.Message;

class SqsListenerConfigurationTest {

    @Test
    void backsOffPollingFromTheInitialWaitDoublingUpToTheCap() {
        ExponentialBackOffPolicy policy = SqsListenerConfiguration.pollBackOff(
                properties(Duration.ofSeconds(1), Duration.ofSeconds(10)));
        List<Long> sleeps = new ArrayList<>();
        policy.setSleeper(sleeps::add);

        BackOffContext outage = policy.start(null);
        for (int failedPoll = 0; failedPoll < 7; failedPoll++) {
            policy.backOff(outage);
        }

        assertThat(sleeps).containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L, 10_000L);
    }

    /**
     * Each {@code capi.sqs.http-client} choice carries a receive and a delete through the real SDK against the
     * embedded SQS server; the SDK's own metrics name the HTTP layer that made the calls.
     */
    @ParameterizedTest
    @CsvSource({"CRT, AwsCommonRuntime", "NETTY, NettyNio"})
    void sqsClientCallsThroughTheChosenHttpLayer(SqsWorkerProperties.HttpClient choice, String clientName) {
        EmbeddedSqs sqs = TestInfrastructure.sqs();
        String queue = sqs.createQueue("http-layer-" + choice.name().toLowerCase(Locale.ROOT), Map.of());
        sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody("{}"));
        Set<String> httpClientNames = ConcurrentHashMap.newKeySet();
        MetricPublisher recordHttpClientNames = new MetricPublisher() {
            @Override
            public void publish(MetricCollection apiCall) {
                httpClientNames(apiCall).forEach(httpClientNames::add);
            }

            @Override
            public void close() {
            }
        };
        SqsAsyncClientBuilder builder = sqs.asyncClientBuilder()
                .overrideConfiguration(c -> c.addMetricPublisher(recordHttpClientNames));
        SqsWorkerProperties properties = TestSqsProperties.of(queue, queue + "-dlq", Duration.ofMillis(10), choice);
        InFlightBudget budget = new InFlightBudget(10L * 1024 * 1024);
        new SqsListenerConfiguration().sqsHttpClient(properties, budget).customize(builder);

        try (SqsAsyncClient client = builder.build()) {
            List<Message> received = client.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)).join().messages();
            assertThat(received).hasSize(1);
            client.deleteMessage(b -> b.queueUrl(queue).receiptHandle(received.get(0).receiptHandle())).join();
        }

        assertThat(TestInfrastructure.messagesOnQueue(queue)).isZero();
        assertThat(httpClientNames).containsExactly(clientName);
        assertThat(budget.used()).as("what the receive's answer held is free again, on either HTTP layer").isZero();
    }

    /** The HTTP client's name wherever the SDK reports it in an API call's metrics (the attempt's HTTP part). */
    private static Stream<String> httpClientNames(MetricCollection metrics) {
        return Stream.concat(metrics.metricValues(HttpMetric.HTTP_CLIENT_NAME).stream(),
                metrics.children().stream().flatMap(SqsListenerConfigurationTest::httpClientNames));
    }

    private static SqsWorkerProperties properties(Duration pollBackOffInitial, Duration pollBackOffMax) {
        return new SqsWorkerProperties("http://127.0.0.1:1/000000000000/q", "http://127.0.0.1:1/000000000000/dlq",
                QueueNotFoundStrategy.FAIL, 2000, null, 10, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(15), Duration.ofMinutes(15), pollBackOffInitial, pollBackOffMax, Duration.ofMillis(50),
                Duration.ofMillis(10), SqsWorkerProperties.HttpClient.CRT);
    }
}
