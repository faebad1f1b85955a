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
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.awspring.cloud.sqs.listener.MessageListenerContainer;
import io.awspring.cloud.sqs.listener.MessageListenerContainerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Many messages, few requests: a preloaded queue drains into batches of up to 1,000 events, and an event
 * Meta rejects costs only itself.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class BatchingEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-batching", 60);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final int EVENTS = 2_500;
    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"(batch-\\d+)\"");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
        // The request count measures batching, not this machine's receive speed: a loaded 2-core CI runner
        // receives far slower than SQS serves, so give each batch two seconds to fill.
        registry.add("capi.dispatch.batch-linger", () -> "2s");
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @Autowired
    MessageListenerContainerRegistry containers;

    @Test
    void deliversTwoAndAHalfThousandEventsInFewRequestsAndIsolatesThePoisonOne() {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        // Meta answers for as many events as it was sent, and rejects any request holding the poison event,
        // as it does for one invalid event in a batch.
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).atPriority(5).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},\"fbtrace_id\":\"T\"}")
                .withTransformers("response-template")));
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).atPriority(1)
                .withRequestBody(containing("\"event_id\":\"batch-1234\""))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Invalid parameter\",\"type\":\"OAuthException\","
                                + "\"code\":100,\"error_subcode\":2804019,\"is_transient\":false,"
                                + "\"error_user_title\":\"Invalid Custom Data\",\"fbtrace_id\":\"PoisonTrace\"}}")));
        MessageListenerContainer<?> listener = containers.getContainerById(ConversionEventListener.LISTENER_ID);
        listener.stop(); // preload, so batching is measured on a full queue
        preload();
        listener.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> deliveredEventIds().size() == EVENTS - 1);
        List<Message> deadLetters = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            deadLetters.addAll(sqs.receiveMessage(b -> b.queueUrl(QUEUES.dlqUrl()).maxNumberOfMessages(10)
                    .messageAttributeNames("All").waitTimeSeconds(1)).messages());
            return !deadLetters.isEmpty();
        });

        int requests = meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))).size();
        assertThat(requests).as("2,500 events in at most 25 requests, bisection included").isLessThanOrEqualTo(25);
        assertThat(deliveredEventIds()).doesNotContain("batch-1234");
        assertThat(deadLetters).hasSize(1);
        Message poison = deadLetters.get(0);
        assertThat(poison.body()).contains("batch-1234");
        assertThat(poison.messageAttributes().get("capi-error-class").stringValue()).isEqualTo("META_REJECTED");
        assertThat(poison.messageAttributes().get("capi-error-code").stringValue()).isEqualTo("100");
        assertThat(poison.messageAttributes().get("capi-error-subcode").stringValue()).isEqualTo("2804019");
        assertThat(poison.messageAttributes().get("capi-fbtrace-id").stringValue()).isEqualTo("PoisonTrace");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sqs.getQueueAttributes(b -> b
                .queueUrl(QUEUES.queueUrl()).attributeNamesWithStrings("ApproximateNumberOfMessages",
                        "ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings()).containsEntry("ApproximateNumberOfMessages", "0")
                .containsEntry("ApproximateNumberOfMessagesNotVisible", "0"));
    }

    private void preload() {
        long now = Instant.now().getEpochSecond();
        for (int start = 0; start < EVENTS; start += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(10);
            for (int i = start; i < start + 10; i++) {
                entries.add(SendMessageBatchRequestEntry.builder().id("e" + i).messageBody("""
                        {"event": {"event_name": "Lead", "event_time": %d, "event_id": "batch-%d",
                         "action_source": "system_generated", "user_data": {"external_id": "crm-%d"}}}
                        """.formatted(now, i, i)).build());
            }
            sqs.sendMessageBatch(b -> b.queueUrl(QUEUES.queueUrl()).entries(entries));
        }
    }

    /** Event ids of every event Meta accepted (requests answered 200). */
    private Set<String> deliveredEventIds() {
        Set<String> ids = new HashSet<>();
        for (LoggedRequest request : meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH)))) {
            if (request.getBodyAsString().contains("batch-1234")) {
                continue;
            }
            Matcher matcher = EVENT_ID.matcher(request.getBodyAsString());
            while (matcher.find()) {
                ids.add(matcher.group(1));
            }
        }
        return ids;
    }
}
