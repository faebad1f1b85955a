package ai.track.capidispatch.localstack;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.abort;

import ai.track.capidispatch.support.TestInfrastructure;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The worker against LocalStack's SQS and Secrets Manager, set up by the same init hook as compose.yaml
 * ({@code localstack/init-aws.sh}), with WireMock standing in for the Graph API.
 *
 * <p>It needs Docker and the LocalStack image, so it is skipped (reported as skipped, never failed) where either
 * is missing: without Docker, and with Docker but without the image and without a registry that serves it
 * (as on the CI machine, where Docker Hub does not answer). {@link LocalStackCanRun} decides that first, without
 * starting anything: Testcontainers' own {@code disabledWithoutDocker} check starts its Ryuk container, which
 * it would try to pull for two minutes per attempt (seven minutes measured here before it gave up).
 *
 * <p>It adds a check against a second SQS implementation and a real Secrets Manager API; it is never the only
 * test of a behaviour: the embedded ElasticMQ tests ({@code EndToEndDeliveryTest} and the others under
 * {@code sqs/}) cover delivery, retries and dead-lettering everywhere.
 */
// Before @Testcontainers: JUnit stops at the first condition that disables, so theirs never runs then.
@ExtendWith(LocalStackIntegrationTest.LocalStackCanRun.class)
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LocalStackIntegrationTest {

    /** The last LocalStack image that starts without an account (later ones need LOCALSTACK_AUTH_TOKEN). */
    static final DockerImageName LOCALSTACK_IMAGE = DockerImageName.parse("localstack/localstack:4.14.0");
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(3);
    private static final Path INIT_HOOK = Path.of("localstack/init-aws.sh");

    private static LocalStackContainer localStack;
    private static SqsClient sqs;
    private static String queueUrl;
    private static String dlqUrl;

    private final WireMockServer graph = TestInfrastructure.wireMock();

    @LocalServerPort
    int port;

    @BeforeAll
    static void startLocalStack() {
        LocalStackContainer container = new LocalStackContainer(LOCALSTACK_IMAGE)
                .withServices("sqs", "secretsmanager")
                .withCopyFileToContainer(MountableFile.forHostPath(INIT_HOOK, 0755),
                        "/etc/localstack/init/ready.d/init-aws.sh");
        try {
            container.start();
        } catch (RuntimeException e) {
            // Docker answered but could not run the image here (a missing Ryuk image, no network for it...):
            // nothing about the worker was tested, so skip rather than fail.
            container.stop();
            abort("LocalStack could not be started here: " + e);
        }
        localStack = container;
        awaitInitHook();
        sqs = SqsClient.builder()
                .endpointOverride(localStack.getEndpoint())
                .region(Region.of(localStack.getRegion()))
                .credentialsProvider(credentials())
                .build();
        queueUrl = sqs.getQueueUrl(b -> b.queueName("capi-dispatch")).queueUrl();
        dlqUrl = sqs.getQueueUrl(b -> b.queueName("capi-dispatch-dlq")).queueUrl();
    }

    @AfterAll
    static void stopLocalStack() {
        if (sqs != null) {
            sqs.close();
        }
        if (localStack != null) {
            localStack.stop();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("capi.sqs.queue-url", () -> queueUrl);
        registry.add("capi.sqs.dlq-url", () -> dlqUrl);
        registry.add("spring.cloud.aws.endpoint", () -> localStack.getEndpoint().toString());
        registry.add("spring.cloud.aws.region.static", () -> localStack.getRegion());
        registry.add("spring.cloud.aws.credentials.access-key", () -> localStack.getAccessKey());
        registry.add("spring.cloud.aws.credentials.secret-key", () -> localStack.getSecretKey());
        registry.add("capi.meta.graph-url", () -> TestInfrastructure.wireMock().baseUrl());
        registry.add("management.cloudwatch.metrics.export.enabled", () -> "false");
        registry.add("capi.sqs.poll-timeout", () -> "1s");
    }

    @BeforeEach
    void stubGraphApi() {
        graph.resetAll();
        graph.stubFor(post(urlPathEqualTo(eventsPath())).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":1,\"messages\":[],\"fbtrace_id\":\"LocalStackTrace\"}")));
    }

    @Test
    void theInitHookCreatesTheQueuesAndTheSecretTheWorkerExpects() {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.ALL)).attributes();
        assertThat(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("60");
        assertThat(attributes.get(QueueAttributeName.REDRIVE_POLICY))
                .contains("capi-dispatch-dlq").containsPattern("\"maxReceiveCount\"\\s*:\\s*\"?15\"?");
        assertThat(secret()).contains("\"access_token\"").contains("\"pixel_id\":\"" + TestInfrastructure.PIXEL_ID);
    }

    @Test
    void deliversAMessageFromLocalStackToTheGraphApiAndDeletesIt() throws Exception {
        String token = secret().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("""
                {"event": {"event_name": "Purchase", "event_time": %d, "event_id": "localstack-1",
                 "action_source": "website", "event_source_url": "https://shop.example.com/done",
                 "user_data": {"em": "LocalStack.Test@Example.com", "client_user_agent": "Mozilla/5.0"},
                 "custom_data": {"value": 12.5, "currency": "EUR"}}}
                """.formatted(Instant.now().getEpochSecond())));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                graph.verify(1, postRequestedFor(urlPathEqualTo(eventsPath()))
                        .withRequestBody(containing("\"event_id\":\"localstack-1\""))
                        .withRequestBody(containing("\"access_token\":\"" + token + "\""))));
        await().atMost(Duration.ofSeconds(30)).until(() -> messagesOn(queueUrl) == 0);
        assertThat(messagesOn(dlqUrl)).as("nothing dead-lettered").isZero();

        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    /** The init hook runs once LocalStack is ready; the worker must not start before it has finished. */
    private static void awaitInitHook() {
        URI ready = localStack.getEndpoint().resolve("/_localstack/init/ready");
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String body = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).as("init hook state").doesNotContain("\"ERROR\"");
            return body.matches("(?s).*\"completed\"\\s*:\\s*true.*");
        });
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(
                AwsBasicCredentials.create(localStack.getAccessKey(), localStack.getSecretKey()));
    }

    private static String secret() {
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .endpointOverride(localStack.getEndpoint())
                .region(Region.of(localStack.getRegion()))
                .credentialsProvider(credentials())
                .build()) {
            return secrets.getSecretValue(b -> b.secretId(TestInfrastructure.SECRET_NAME)).secretString();
        }
    }

    private static String eventsPath() {
        return "/v26.0/" + TestInfrastructure.PIXEL_ID + "/events";
    }

    private static int messagesOn(String url) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /**
     * Enabled when Docker answers and the LocalStack image is here or can be pulled within a few minutes. Asks
     * Docker directly (no Ryuk, no container), once per test run.
     */
    static final class LocalStackCanRun implements ExecutionCondition {

        private static ConditionEvaluationResult result;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            synchronized (LocalStackCanRun.class) {
                if (result == null) {
                    result = evaluate();
                }
                return result;
            }
        }

        private static ConditionEvaluationResult evaluate() {
            DockerClient docker;
            try {
                docker = DockerClientProviderStrategy.getClientForConfig(
                        DockerClientFactory.instance().getTransportConfig());
                docker.pingCmd().exec();
            } catch (RuntimeException e) {
                return ConditionEvaluationResult.disabled("no Docker: " + e.getMessage());
            }
            boolean ryuk = !Boolean.parseBoolean(System.getenv("TESTCONTAINERS_RYUK_DISABLED"));
            if (present(docker, LOCALSTACK_IMAGE) && (!ryuk
                    || !docker.listImagesCmd().withImageNameFilter("testcontainers/ryuk").exec().isEmpty())) {
                return ConditionEvaluationResult.enabled(LOCALSTACK_IMAGE + " is here");
            }
            // Something must be pulled: the LocalStack image tells whether a registry answers at all (a pull
            // contacts it even when the image is here). Testcontainers then pulls Ryuk itself.
            try {
                boolean pulled = docker.pullImageCmd(LOCALSTACK_IMAGE.getRepository())
                        .withTag(LOCALSTACK_IMAGE.getVersionPart()).start()
                        .awaitCompletion(PULL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                return pulled ? ConditionEvaluationResult.enabled(LOCALSTACK_IMAGE + " pulled")
                        : ConditionEvaluationResult.disabled(LOCALSTACK_IMAGE + " not pulled within " + PULL_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ConditionEvaluationResult.disabled("interrupted while pulling " + LOCALSTACK_IMAGE);
            } catch (RuntimeException e) {
                return ConditionEvaluationResult.disabled(LOCALSTACK_IMAGE
                        + " (or Testcontainers' Ryuk image) is not here and no registry serves it: " + e.getMessage());
            }
        }

        private static boolean present(DockerClient docker, DockerImageName image) {
            try {
                docker.inspectImageCmd(image.asCanonicalNameString()).exec();
                return true;
            } catch (NotFoundException e) {
                return false;
            }
        }
    }
}
