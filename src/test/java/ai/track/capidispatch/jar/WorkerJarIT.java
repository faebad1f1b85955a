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
import ai.track.capidispatch.support.WorkerJar;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
        int port = WorkerJar.freePort();
        Path log = Files.createTempFile("worker-jar", ".log");

        Map<String, String> env = WorkerJar.contractEnvironment(queues.queueUrl(), queues.dlqUrl(),
                TestInfrastructure.sqs().endpoint(), meta.baseUrl());
        env.put("SERVER_PORT", String.valueOf(port));
        worker = WorkerJar.start(WorkerJar.currentJava(), List.of(), WorkerJar.packaged(), env, log);

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
}
