package ai.track.capidispatch.sqs;

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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A rejected token (Meta code 190) is not the event's fault: the worker re-reads the secret at once, holds
 * the message (no DLQ, no delete) while the secret still holds the rejected token, reports itself not ready,
 * and delivers by itself once the secret is rotated.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class HeldEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-held", 30);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final String REVOKED = "EAAB-revoked-token";
    private static final String ROTATED = "EAAB-rotated-token";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES, secretWith(REVOKED));
        registry.add("capi.dispatch.hold-delay", () -> "2s");
        registry.add("capi.sqs.max-pause", () -> "2s");
        registry.add("capi.credentials.refresh-interval", () -> "1h"); // only the forced re-read can help
        registry.add("capi.credentials.min-forced-refresh-interval", () -> "0s");
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @Autowired
    ApplicationAvailability availability;

    @Test
    void holdsWhileTheTokenIsRejectedAndRecoversOnceTheSecretIsRotated() {
        meta.resetAll();
        TestInfrastructure.stubSecret(secretWith(REVOKED));
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing(REVOKED))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Error validating access token: The session has been"
                                + " invalidated\",\"type\":\"OAuthException\",\"code\":190,\"error_subcode\":460,"
                                + "\"fbtrace_id\":\"AuthTrace\"}}")));
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing(ROTATED))
                .willReturn(aResponse().withStatus(200).withBody("{\"events_received\":1,\"fbtrace_id\":\"Ok\"}")));
        sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"event": {"event_name": "Lead", "event_time": %d, "event_id": "held-1",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-1"}}}
                """.formatted(Instant.now().getEpochSecond())));

        await().atMost(Duration.ofSeconds(20)).until(
                () -> availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
        meta.verify(postRequestedFor(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing(REVOKED)));
        assertThat(secretReads()).as("a 190 re-reads the secret at once").isGreaterThanOrEqualTo(1);
        // Held: still on the main queue, nothing in the DLQ, however often it is looked at.
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
        assertThat(sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).waitTimeSeconds(0)).messages()).isEmpty();
        assertThat(sqs.getQueueAttributes(b -> b.queueUrl(QUEUES.queueUrl())
                .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings().values().stream().mapToInt(Integer::parseInt).sum()).isEqualTo(1);
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);

        TestInfrastructure.stubSecret(secretWith(ROTATED)); // the operator rotates the token

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> meta.verify(1,
                postRequestedFor(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing(ROTATED))));
        await().atMost(Duration.ofSeconds(10)).until(
                () -> availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC);
        assertThat(sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).waitTimeSeconds(1)).messages()).isEmpty();
    }

    private int secretReads() {
        return meta.findAll(postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/"))
                .withHeader("X-Amz-Target", com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                        "secretsmanager.GetSecretValue"))).size();
    }

    private static String secretWith(String token) {
        return "{\"access_token\":\"" + token + "\",\"pixel_id\":\"" + PIXEL_ID + "\"}";
    }
}
