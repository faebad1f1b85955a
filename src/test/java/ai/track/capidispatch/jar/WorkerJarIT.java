package ai.track.capidispatch.jar;

import static ai.track.capidispatch.support.TestInfrastructure.ACCESS_TOKEN;
import static ai.track.capidispatch.support.TestInfrastructure.APP_SECRET;
import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The packaged jar, started the way ECS starts it: {@code java -jar} with the contract's environment
 * variables only (the AWS SDK's own {@code AWS_ENDPOINT_URL_*} overrides point it at the stand-ins). Runs in
 * {@code mvn verify} after the jar is built.
 */
class WorkerJarIT {

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();
    private Process worker;

    @AfterEach
    void stopWorker() {
        if (worker != null && worker.isAlive()) {
            worker.destroyForcibly();
        }
    }

    @Test
    void deliversEndToEndAndStopsCleanlyOnSigterm() throws Exception {
        Queues queues = TestInfrastructure.createQueues("jar-e2e", 30);
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        meta.stubFor(post(urlPathEqualTo("/v26.0/" + PIXEL_ID + "/events")).willReturn(aResponse().withStatus(200)
                .withBody("{\"events_received\":1,\"fbtrace_id\":\"JarTrace\"}")));
        int port = freePort();
        Path log = Files.createTempFile("worker-jar", ".log");

        ProcessBuilder process = new ProcessBuilder(javaBinary(), "-jar", System.getProperty("worker.jar"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = process.environment();
        env.keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("META_") || name.startsWith("SQS_"));
        env.put("SQS_QUEUE_URL", queues.queueUrl());
        env.put("SQS_DLQ_URL", queues.dlqUrl());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_ENDPOINT_URL_SQS", TestInfrastructure.sqs().endpoint());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", meta.baseUrl());
        env.put("META_GRAPH_URL", meta.baseUrl());
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("MANAGEMENT_CLOUDWATCH_METRICS_EXPORT_ENABLED", "false");
        worker = process.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> healthStatus(port) == 200);

        sqs.sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody("""
                {"event": {"event_name": "Purchase", "event_time": %d, "action_source": "website",
                 "event_source_url": "https://shop.example.com/done",
                 "user_data": {"em": "Jar.Test@Example.com", "client_user_agent": "Mozilla/5.0"},
                 "custom_data": {"value": 5, "currency": "USD"}}}
                """.formatted(Instant.now().getEpochSecond())));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                meta.verify(1, postRequestedFor(urlPathEqualTo("/v26.0/" + PIXEL_ID + "/events"))
                        .withRequestBody(containing("\"event_id\":\"capi-"))
                        .withRequestBody(containing("\"access_token\":\"" + ACCESS_TOKEN + "\""))));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestInfrastructure.messagesOnQueue(queues.queueUrl()) == 0);

        worker.destroy(); // SIGTERM, as ECS sends it
        assertThat(worker.waitFor(25, TimeUnit.SECONDS)).as("exits within 25 s of SIGTERM").isTrue();

        String output = Files.readString(log);
        assertThat(output).contains("\"record\":\"DispatchAttempt\"").contains("\"fbtrace_id\":\"JarTrace\"");
        assertThat(output).doesNotContain(ACCESS_TOKEN).doesNotContain(APP_SECRET)
                .doesNotContainIgnoringCase("jar.test@example.com");
        assertThat(output.lines()).as("one JSON object per line")
                .allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
    }


    private static int healthStatus(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
