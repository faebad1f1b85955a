package ai.track.capidispatch.security;

import static ai.track.capidispatch.support.TestInfrastructure.ACCESS_TOKEN;
import static ai.track.capidispatch.support.TestInfrastructure.APP_SECRET;
import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static ai.track.capidispatch.support.TestInfrastructure.SECOND_ACCESS_TOKEN;
import static ai.track.capidispatch.support.TestInfrastructure.SECOND_PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Several pixels in one secret: each event goes to its own pixel with that pixel's token, and only there. */
class MultiPixelEndToEndTest extends WorkerUnderAttack {

    private static final String UNKNOWN_PIXEL = "333333333333333";
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void sendsEachEventWithItsOwnPixelsTokenAndDeadLettersAPixelTheSecretDoesNotName() {
        send(lead(PIXEL_ID, "mp-first"));
        send(lead(SECOND_PIXEL_ID, "mp-second"));
        send(lead(null, "mp-default"));
        send(lead(UNKNOWN_PIXEL, "mp-unknown"));

        await().atMost(Duration.ofSeconds(20)).until(() -> sentEvents().keySet()
                .containsAll(List.of("mp-first", "mp-second", "mp-default")));
        List<Message> deadLetters = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            deadLetters.addAll(StandIns.takeAll(QUEUES.dlqUrl()));
            return !deadLetters.isEmpty();
        });

        Map<String, JsonNode> requests = sentEvents();
        assertThat(requests.get("mp-first").get("pixel").asString()).isEqualTo(PIXEL_ID);
        assertThat(requests.get("mp-first").get("access_token").asString()).isEqualTo(ACCESS_TOKEN);
        assertThat(requests.get("mp-first").get("appsecret_proof").asString())
                .isEqualTo(StandIns.hmacSha256Hex(APP_SECRET, ACCESS_TOKEN));
        assertThat(requests.get("mp-default").get("pixel").asString()).as("no pixel_id: the secret's default")
                .isEqualTo(PIXEL_ID);
        assertThat(requests.get("mp-default").get("access_token").asString()).isEqualTo(ACCESS_TOKEN);
        assertThat(requests.get("mp-second").get("pixel").asString()).isEqualTo(SECOND_PIXEL_ID);
        assertThat(requests.get("mp-second").get("access_token").asString()).isEqualTo(SECOND_ACCESS_TOKEN);
        assertThat(requests.get("mp-second").has("appsecret_proof")).as("pixel 2 has no app secret").isFalse();
        assertThat(requests).doesNotContainKey("mp-unknown");

        assertThat(deadLetters).singleElement().satisfies(m -> {
            assertThat(StandIns.errorClass(m)).isEqualTo("UNKNOWN_PIXEL");
            assertThat(m.body()).contains("mp-unknown");
        });
        StandIns.assertNoUnexpectedRequests();
    }

    /** event_id → the request that carried it: its pixel (from the path), token and proof (from the body). */
    private Map<String, JsonNode> sentEvents() {
        Map<String, JsonNode> byEventId = new HashMap<>();
        for (LoggedRequest request : wireMock.findAll(postRequestedFor(urlPathMatching("/v26\\.0/.*")))) {
            JsonNode body = json.readTree(request.getBodyAsString());
            String pixel = request.getUrl().split("/")[2];
            for (JsonNode event : body.get("data")) {
                var summary = json.createObjectNode().put("pixel", pixel)
                        .put("access_token", body.get("access_token").asString());
                if (body.has("appsecret_proof")) {
                    summary.put("appsecret_proof", body.get("appsecret_proof").asString());
                }
                byEventId.put(event.get("event_id").asString(), summary);
            }
        }
        return byEventId;
    }

    private static String lead(String pixelId, String eventId) {
        return """
                {%s"event": {"event_name": "Lead", "event_time": %d, "event_id": "%s",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-%s"}}}
                """.formatted(pixelId == null ? "" : "\"pixel_id\": \"" + pixelId + "\", ",
                Instant.now().getEpochSecond(), eventId, eventId);
    }
}
