package ai.track.capidispatch.security;

import static ai.track.capidispatch.support.TestInfrastructure.ACCESS_TOKEN;
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
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The 90-day rotation as it happens in production: a new AWSCURRENT value is put while the worker runs, and
 * within the refresh interval it sends with the new token, without a restart and without Meta having had to
 * reject the old one first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext // its background reads every 2 s must not run on under the other test classes
class SecretRotationEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-rotation", 10);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final String ROTATED = "EAAB-rotated-by-operator-do-not-log";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        registry.add("capi.credentials.refresh-interval", () -> "2s");
        registry.add("capi.credentials.refresh-retry-delay", () -> "1s");
    }

    private final WireMockServer wireMock = TestInfrastructure.wireMock();

    @Test
    void sendsWithTheRotatedTokenWithinTheRefreshIntervalWithoutARestart(CapturedOutput output) {
        wireMock.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        wireMock.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},\"fbtrace_id\":\"T\"}")
                .withTransformers("response-template")));
        send("before-rotation");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> wireMock.verify(1,
                postRequestedFor(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing("before-rotation"))
                        .withRequestBody(containing(ACCESS_TOKEN))));

        Date rotatedAt = new Date();
        TestInfrastructure.stubSecret(StandIns.secretWith(ROTATED));
        // Within one refresh interval (2 s ± 10 %) the background refresh reads the new version.
        await().atMost(Duration.ofSeconds(10)).until(() -> StandIns.secretReads().stream()
                .anyMatch(read -> read.getLoggedDate().after(rotatedAt)));
        await().atMost(Duration.ofSeconds(5)).until(() -> output.getAll().contains("\"trigger\":\"SCHEDULED\""));

        send("after-rotation-1");
        send("after-rotation-2");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            wireMock.verify(postRequestedFor(urlPathEqualTo(EVENTS_PATH))
                    .withRequestBody(containing("after-rotation-1")).withRequestBody(containing(ROTATED)));
            wireMock.verify(postRequestedFor(urlPathEqualTo(EVENTS_PATH))
                    .withRequestBody(containing("after-rotation-2")).withRequestBody(containing(ROTATED)));
        });
        wireMock.verify(1, postRequestedFor(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing(ACCESS_TOKEN)));
        await().atMost(Duration.ofSeconds(10)).until(() -> StandIns.messagesOn(QUEUES.queueUrl()) == 0);

        String refreshed = output.getAll().lines().filter(line -> line.contains("\"CredentialsRefreshed\""))
                .filter(line -> line.contains("\"SCHEDULED\"")).findFirst().orElseThrow();
        assertThat(refreshed).contains("\"pixels\":2").contains("\"pixels_changed\":1").contains("\"version_id\"")
                .doesNotContain(ROTATED).doesNotContain(ACCESS_TOKEN);
        assertThat(output.getAll()).doesNotContain(ROTATED).doesNotContain(ACCESS_TOKEN);
    }

    private static void send(String eventId) {
        StandIns.sqs().sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"event": {"event_name": "Lead", "event_time": %d, "event_id": "%s",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-1"}}}
                """.formatted(Instant.now().getEpochSecond(), eventId)));
    }
}
