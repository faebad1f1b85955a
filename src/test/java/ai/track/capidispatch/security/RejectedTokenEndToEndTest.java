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
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The secret was rotated after the worker last read it, and the old token has been revoked: the first request
 * is rejected with 190, the worker re-reads the secret at once (the 1 h refresh interval would be far too
 * late) and resends with the new token. Nothing is held, nothing dead-lettered.
 */
class RejectedTokenEndToEndTest extends WorkerUnderAttack {

    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final String ROTATED = "EAAB-rotated-token-do-not-log";

    @Test
    void reReadsTheSecretAtOnceOnA190AndResendsWithTheRotatedToken() {
        wireMock.stubFor(post(urlPathEqualTo(EVENTS_PATH)).atPriority(2).withRequestBody(containing(ACCESS_TOKEN))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody(StandIns.META_190)));
        TestInfrastructure.stubSecret(StandIns.secretWith(ROTATED)); // the operator rotated; the worker has not looked

        send(lead("rot-1"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> wireMock.verify(1,
                postRequestedFor(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing(ROTATED))));
        await().atMost(Duration.ofSeconds(10)).until(() -> StandIns.messagesOn(QUEUES.queueUrl()) == 0);

        LoggedRequest rejected = single(wireMock.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))
                .withRequestBody(containing(ACCESS_TOKEN))));
        LoggedRequest resent = single(wireMock.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))
                .withRequestBody(containing(ROTATED))));
        List<LoggedRequest> reads = StandIns.secretReads();
        assertThat(reads).as("one GetSecretValue, forced by the 190").isNotEmpty()
                .anySatisfy(read -> assertThat(read.getLoggedDate()).isAfterOrEqualTo(rejected.getLoggedDate())
                        .isBeforeOrEqualTo(resent.getLoggedDate()));
        assertThat(reads.stream().filter(read -> !read.getLoggedDate().before(rejected.getLoggedDate())
                && !read.getLoggedDate().after(resent.getLoggedDate()))).hasSize(1);
        assertThat(StandIns.takeAll(QUEUES.dlqUrl())).isEmpty();

        // Later events go straight out with the new token: no second rejection, no further read.
        send(lead("rot-2"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> wireMock.verify(1,
                postRequestedFor(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing("rot-2"))
                        .withRequestBody(containing(ROTATED))));
        wireMock.verify(1, postRequestedFor(urlPathEqualTo(EVENTS_PATH)).withRequestBody(containing(ACCESS_TOKEN)));
        StandIns.assertNoUnexpectedRequests();
    }

    private static LoggedRequest single(List<LoggedRequest> requests) {
        assertThat(requests).hasSize(1);
        return requests.stream().min(Comparator.comparing(LoggedRequest::getLoggedDate)).orElseThrow();
    }

    private static String lead(String eventId) {
        return """
                {"event": {"event_name": "Lead", "event_time": %d, "event_id": "%s",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-1"}}}
                """.formatted(Instant.now().getEpochSecond(), eventId);
    }
}
