package ai.track.capidispatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What README's first command does: the local profile with its embedded SQS, dry-running without a token. */
@ExtendWith(OutputCaptureExtension.class)
class LocalProfileTest {

    @Test
    void startsWithItsOwnQueuesAndDryRunsAnEvent(CapturedOutput output) {
        try (ConfigurableApplicationContext worker = LocalWorker.run(0, "--server.port=0", "--META_ACCESS_TOKEN=",
                "--capi.sqs.poll-timeout=1s");
                SqsClient sqs = SqsClient.builder()
                        .endpointOverride(java.net.URI.create("http://127.0.0.1:"
                                + worker.getEnvironment().getProperty("capi.local.sqs-port")))
                        .region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                        .build()) {
            String queueUrl = sqs.getQueueUrl(b -> b.queueName("capi-dispatch")).queueUrl();
            String dlqUrl = sqs.getQueueUrl(b -> b.queueName("capi-dispatch-dlq")).queueUrl();

            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("""
                    {"pixel_id": "123456789012345", "event": {"event_name": "Purchase", "event_time": %d,
                     "event_id": "local-1", "action_source": "website",
                     "event_source_url": "https://shop.example.com/done",
                     "user_data": {"em": "someone@example.com", "client_user_agent": "Mozilla/5.0"},
                     "custom_data": {"value": 10, "currency": "EUR"}}}
                    """.formatted(Instant.now().getEpochSecond())));

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(output.getOut()).contains("Dry run: would send Purchase to Meta").contains("local-1");
                assertThat(sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                        .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                        .isEqualTo("0");
            });
            assertThat(sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(0)).messages()).isEmpty();
            assertThat(sqs.receiveMessage(b -> b.queueUrl(dlqUrl).waitTimeSeconds(0)).messages()).isEmpty();
            assertThat(output.getOut()).doesNotContain("someone@example.com");
        }
    }
}
