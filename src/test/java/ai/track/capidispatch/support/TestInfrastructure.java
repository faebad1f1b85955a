package ai.track.capidispatch.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import ai.track.capidispatch.CapiDispatchWorkerApplication;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * One embedded SQS server and one WireMock server per test JVM (started on first use, stopped at exit):
 * WireMock stands in for the Graph API and for Secrets Manager at the HTTP boundary, while the real AWS SDK
 * and the real OkHttp do the talking.
 */
public final class TestInfrastructure {

    public static final String PIXEL_ID = "123456789012345";
    public static final String SECOND_PIXEL_ID = "222222222222222";
    public static final String ACCESS_TOKEN = "EAAB-test-token-do-not-log";
    public static final String SECOND_ACCESS_TOKEN = "EAAB-second-token-do-not-log";
    public static final String APP_SECRET = "app-secret-do-not-log";
    public static final String SECRET_NAME = "meta-capi-credentials";

    private static EmbeddedSqs sqs;
    private static WireMockServer wireMock;

    private TestInfrastructure() {
    }

    public static synchronized EmbeddedSqs sqs() {
        if (sqs == null) {
            sqs = EmbeddedSqs.start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(sqs::close));
        }
        return sqs;
    }

    public static synchronized WireMockServer wireMock() {
        if (wireMock == null) {
            wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            wireMock.start();
            Runtime.getRuntime().addShutdownHook(new Thread(wireMock::stop));
        }
        return wireMock;
    }

    /** A fresh queue pair per test class, so classes cannot see each other's messages. */
    public static Queues createQueues(String prefix, int visibilityTimeoutSeconds) {
        String dlq = sqs().createQueue(prefix + "-dlq", Map.of());
        String queue = sqs().createQueue(prefix, Map.of(QueueAttributeName.VISIBILITY_TIMEOUT,
                String.valueOf(visibilityTimeoutSeconds)));
        return new Queues(queue, dlq);
    }

    /** The properties a worker needs to run against the stand-ins: the contract's settings, nothing from AWS. */
    public static void register(DynamicPropertyRegistry registry, Queues queues) {
        register(registry, queues, twoPixelSecret());
    }

    /**
     * As {@link #register(DynamicPropertyRegistry, Queues)}, with the secret the worker reads at start-up. The
     * stub is put in place when the context resolves the Secrets Manager endpoint, i.e. as it starts: a stub put
     * earlier (a static initializer runs at test discovery) could be wiped by another class's reset before then.
     */
    public static void register(DynamicPropertyRegistry registry, Queues queues, String startupSecret) {
        register(registry, queues, startupSecret, () -> sqs().endpoint());
    }

    /**
     * As {@link #register(DynamicPropertyRegistry, Queues, String)}, with the worker's SQS client pointed at
     * {@code sqsEndpoint} (a proxy in front of the embedded SQS, say) instead of at the embedded SQS itself.
     */
    public static void register(DynamicPropertyRegistry registry, Queues queues, String startupSecret,
            Supplier<Object> sqsEndpoint) {
        registry.add("capi.sqs.queue-url", queues::queueUrl);
        registry.add("capi.sqs.dlq-url", queues::dlqUrl);
        registry.add("spring.cloud.aws.sqs.endpoint", sqsEndpoint);
        registry.add("spring.cloud.aws.secretsmanager.endpoint", () -> {
            stubSecret(startupSecret);
            return wireMock().baseUrl();
        });
        registry.add("spring.cloud.aws.credentials.access-key", () -> "test");
        registry.add("spring.cloud.aws.credentials.secret-key", () -> "test");
        registry.add("capi.meta.graph-url", () -> wireMock().baseUrl());
        registry.add("management.cloudwatch.metrics.export.enabled", () -> "false");
        registry.add("capi.sqs.poll-timeout", () -> "1s");
    }

    /**
     * The worker as its own application context (no web server) on the stand-ins, with {@link #register}'s settings
     * and then {@code extraArgs} ({@code --name=value}), so that a test can close it as SIGTERM does.
     */
    public static ConfigurableApplicationContext startWorker(Queues queues, String... extraArgs) {
        Map<String, Object> settings = new LinkedHashMap<>();
        register((name, value) -> settings.put(name, value.get()), queues);
        String[] args = Stream.concat(settings.entrySet().stream()
                .map(setting -> "--" + setting.getKey() + "=" + setting.getValue()), Arrays.stream(extraArgs))
                .toArray(String[]::new);
        return new SpringApplicationBuilder(CapiDispatchWorkerApplication.class).web(WebApplicationType.NONE)
                .run(args);
    }

    /** Answers GetSecretValue the way Secrets Manager does (AWS JSON 1.1 protocol). */
    public static StubMapping stubSecret(String secretJson) {
        return stubSecret(wireMock(), secretJson);
    }

    /** As {@link #stubSecret(String)}, on a stand-in of the caller's own (the fault harness runs one). */
    public static StubMapping stubSecret(WireMockServer server, String secretJson) {
        String escaped = secretJson.replace("\\", "\\\\").replace("\"", "\\\"");
        return server.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:" + SECRET_NAME
                                + "-AbCdEf\",\"Name\":\"" + SECRET_NAME + "\",\"VersionId\":\"v1\","
                                + "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.7643E9,"
                                + "\"SecretString\":\"" + escaped + "\"}")));
    }

    /** Messages on a queue, visible, in flight or delayed (a retry copy waits out its backoff delayed). */
    public static int messagesOnQueue(String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs().client().getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }

    public static String twoPixelSecret() {
        return "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"pixel_id\":\"" + PIXEL_ID + "\",\"app_secret\":\""
                + APP_SECRET + "\",\"pixels\":{\"" + SECOND_PIXEL_ID + "\":{\"access_token\":\""
                + SECOND_ACCESS_TOKEN + "\"}}}";
    }

    public record Queues(String queueUrl, String dlqUrl) {
    }
}
