package ai.track.capidispatch.security;

import static ai.track.capidispatch.security.StandIns.messagesOn;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.credentials.CredentialsProvider;
import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One worker shared by the security test classes that extend this (same configuration, so Spring starts it
 * once): the real application against ElasticMQ and WireMock. The secret is re-read only when a test forces
 * it (refresh interval 1 h), so GetSecretValue counts mean something, and holds are short.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
abstract class WorkerUnderAttack {

    static final Queues QUEUES = TestInfrastructure.createQueues("e2e-security", 10);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        registry.add("capi.credentials.refresh-interval", () -> "1h");
        registry.add("capi.credentials.min-forced-refresh-interval", () -> "0s");
        registry.add("capi.dispatch.hold-delay", () -> "1s");
        registry.add("capi.sqs.max-pause", () -> "2s");
    }

    final WireMockServer wireMock = TestInfrastructure.wireMock();

    @Autowired
    CredentialsProvider credentials;

    @BeforeEach
    void startFromTheTwoPixelSecret() {
        wireMock.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        credentials.refreshNow(); // whatever a test before rotated, each starts from the same secret
        wireMock.resetRequests();
        acceptEverythingForKnownPixels(10);
        StandIns.takeAll(QUEUES.dlqUrl());
    }

    @AfterEach
    void leaveNothingBehind() {
        // Let anything held or retrying succeed, so no test leaves work for the next.
        acceptEverythingForKnownPixels(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> messagesOn(QUEUES.queueUrl()) == 0);
    }

    void acceptEverythingForKnownPixels(int priority) {
        wireMock.stubFor(post(urlPathMatching(StandIns.ALLOWED_META_PATH.pattern())).atPriority(priority)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},"
                                + "\"fbtrace_id\":\"T\"}")
                        .withTransformers("response-template")));
    }

    void send(String body) {
        StandIns.sqs().sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody(body));
    }
}
