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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The packaged jar, started the way ECS starts it: {@code java -jar} with the contract's environment
 * variables only (the AWS SDK's own {@code AWS_ENDPOINT_URL_*} overrides point it at the stand-ins). Runs in
 * {@code mvn verify} after the jar is built.
 */
class WorkerJarIT {

    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();
    private Process worker;

    @BeforeEach
    void resetMeta() {
        meta.resetAll();
    }

    @AfterEach
    void stopWorker() {
        if (worker != null && worker.isAlive()) {
            worker.destroyForcibly();
        }
    }

    @Test
    void deliversEndToEndAndStopsCleanlyOnSigterm() throws Exception {
        Queues queues = TestInfrastructure.createQueues("jar-e2e", 30);
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(200)
                .withBody("{\"events_received\":1,\"fbtrace_id\":\"JarTrace\"}")));
        Path log = Files.createTempFile("worker-jar", ".log");
        startWorker(queues, log);

        sqs.sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody(purchase("Jar.Test@Example.com")));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                meta.verify(1, postRequestedFor(urlPathEqualTo(EVENTS_PATH))
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

    /**
     * ECS stops a task while a Meta request is under way: the worker finishes the request and deletes its messages
     * before it exits. The SQS client's HTTP layer (the AWS Common Runtime) stops answering in its own JVM shutdown
     * hook unless it is held open ({@code CrtHttpClient}); then these deletes were never answered, and the messages,
     * already accepted by Meta, would have been received and sent again by the next worker.
     */
    @Test
    void finishesTheMetaRequestUnderWayAndDeletesItsMessagesOnSigterm() throws Exception {
        Queues queues = TestInfrastructure.createQueues("jar-sigterm", 60);
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(200).withFixedDelay(3_000)
                .withBody("{\"events_received\":5,\"fbtrace_id\":\"SlowTrace\"}")));
        Path log = Files.createTempFile("worker-jar", ".log");
        startWorker(queues, log);

        for (int i = 0; i < 5; i++) {
            String email = "slow" + i + "@example.com";
            sqs.sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody(purchase(email)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                meta.countRequestsMatching(postRequestedFor(urlPathEqualTo(EVENTS_PATH)).build()).getCount() == 1);
        assertThat(TestInfrastructure.messagesOnQueue(queues.queueUrl()))
                .as("Meta has not answered yet: nothing deleted").isEqualTo(5);

        worker.destroy(); // SIGTERM, as ECS sends it
        assertThat(worker.waitFor(25, TimeUnit.SECONDS)).as("exits within 25 s of SIGTERM").isTrue();

        assertThat(TestInfrastructure.messagesOnQueue(queues.queueUrl()))
                .as("the batch Meta accepted during the shutdown is deleted, not left to be sent again").isZero();
        assertThat(Files.readString(log)).contains("\"fbtrace_id\":\"SlowTrace\"");
        meta.verify(1, postRequestedFor(urlPathEqualTo(EVENTS_PATH)));
    }

    /**
     * Where the AWS Common Runtime cannot load (here: looked up for an architecture it has no build for), the
     * worker stops at start-up with a message that names the way out, and with it the worker delivers.
     */
    @Test
    void namesTheNettyWayOutWhenTheCrtCannotLoadAndDeliversWithIt() throws Exception {
        Queues queues = TestInfrastructure.createQueues("jar-no-crt", 30);
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(200)
                .withBody("{\"events_received\":1,\"fbtrace_id\":\"NettyTrace\"}")));
        Map<String, String> env = environment(queues);
        env.put("AWS_CRT_ARCH", "sparc");
        Path failedLog = Files.createTempFile("worker-jar", ".log");

        worker = WorkerJar.start(WorkerJar.currentJava(), List.of(), WorkerJar.packaged(), env, failedLog);
        assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("start-up fails").isTrue();
        assertThat(worker.exitValue()).isNotZero();
        assertThat(Files.readString(failedLog)).contains("Set CAPI_SQS_HTTP_CLIENT=netty");

        env.put("CAPI_SQS_HTTP_CLIENT", "netty");
        Path log = Files.createTempFile("worker-jar", ".log");
        worker = WorkerJar.start(WorkerJar.currentJava(), List.of(), WorkerJar.packaged(), env, log);
        int port = Integer.parseInt(env.get("SERVER_PORT"));
        await().atMost(Duration.ofSeconds(60)).until(() -> healthStatus(port) == 200);
        sqs.sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody(purchase("netty@example.com")));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> TestInfrastructure.messagesOnQueue(queues.queueUrl()) == 0);
        meta.verify(1, postRequestedFor(urlPathEqualTo(EVENTS_PATH)));
        assertThat(Files.readString(log)).contains("\"fbtrace_id\":\"NettyTrace\"");
    }

    private void startWorker(Queues queues, Path log) throws IOException {
        Map<String, String> env = environment(queues);
        worker = WorkerJar.start(WorkerJar.currentJava(), List.of(), WorkerJar.packaged(), env, log);
        int port = Integer.parseInt(env.get("SERVER_PORT"));
        await().atMost(Duration.ofSeconds(60)).until(() -> healthStatus(port) == 200);
    }

    /** The contract's environment for a worker on these queues, a free port in {@code SERVER_PORT}. */
    private Map<String, String> environment(Queues queues) throws IOException {
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        Map<String, String> env = WorkerJar.contractEnvironment(queues.queueUrl(), queues.dlqUrl(),
                TestInfrastructure.sqs().endpoint(), meta.baseUrl());
        env.put("SERVER_PORT", String.valueOf(WorkerJar.freePort()));
        return env;
    }

    private static String purchase(String email) {
        return """
                {"event": {"event_name": "Purchase", "event_time": %d, "action_source": "website",
                 "event_source_url": "https://shop.example.com/done",
                 "user_data": {"em": "%s", "client_user_agent": "Mozilla/5.0"},
                 "custom_data": {"value": 5, "currency": "USD"}}}
                """.formatted(Instant.now().getEpochSecond(), email);
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
