package ai.track.capidispatch.sqs;

import static ai.track.capidispatch.support.AwsEnvelopes.eventBridge;
import static ai.track.capidispatch.support.AwsEnvelopes.sns;
import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bodies that SNS (without raw message delivery) and EventBridge wrap on their way to the queue, through the
 * whole worker: embedded ElasticMQ, the real SDK and OkHttp, WireMock for the Graph API and Secrets Manager.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class EnvelopeEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-envelopes", 10);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** SHA-256 of john_smith@gmail.com and of 16505551212: Meta's normalization, then the hash. */
    private static final String HASHED_EMAIL = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
    private static final String HASHED_PHONE = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @BeforeEach
    void acceptEveryEvent() {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},\"fbtrace_id\":\"T\"}")
                .withTransformers("response-template")));
        takeAll(QUEUES.dlqUrl());
    }

    @AfterEach
    void leaveNothingBehind() {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);
    }

    @Test
    void deliversTheEventInsideEachEnvelopeNormalizedAndHashed() {
        long eventTime = Instant.now().getEpochSecond() - 60;
        send(sns(purchase("via-sns", eventTime)));
        send(eventBridge(purchase("via-eventbridge", eventTime)));

        Map<String, JsonNode> sent = eventsSentToMeta(2);

        assertThat(sent).containsOnlyKeys("via-sns", "via-eventbridge");
        sent.values().forEach(event -> {
            assertThat(event.path("event_name").asString()).isEqualTo("Purchase");
            assertThat(event.path("event_time").asLong()).isEqualTo(eventTime);
            assertThat(event.at("/user_data/em/0").asString()).isEqualTo(HASHED_EMAIL);
            assertThat(event.at("/user_data/ph/0").asString()).isEqualTo(HASHED_PHONE);
            assertThat(event.at("/user_data/client_user_agent").asString()).as("never hashed").isEqualTo("Mozilla/5.0");
            assertThat(event.at("/custom_data/value").decimalValue()).isEqualByComparingTo("49.99");
        });
        for (LoggedRequest request : meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH)))) {
            assertThat(JSON.readTree(request.getBodyAsString()).path("test_event_code").asString())
                    .as("from the body inside the envelope").isEqualTo("TEST-ENVELOPE");
            assertThat(request.getBodyAsString()).doesNotContain("John_Smith").doesNotContain("TopicArn")
                    .doesNotContain("detail-type");
        }
        assertThat(takeAll(QUEUES.dlqUrl())).isEmpty();
    }

    @Test
    void derivesOneEventIdWhicheverWayTheSameEventArrives() {
        // Without its own event_id, a conversion that reaches the queue raw, through SNS and through EventBridge
        // must carry one derived id every time, so that Meta keeps one of them.
        String body = purchase(null, Instant.now().getEpochSecond() - 60);
        send(body);
        send(sns(body));
        send(eventBridge(body));

        List<JsonNode> events = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            events.clear();
            events.addAll(allEventsSentToMeta());
            return events.size() >= 3;
        });

        assertThat(events).hasSize(3);
        assertThat(events).extracting(event -> event.path("event_id").asString()).allMatch(id -> id.startsWith("capi-"))
                .containsOnly(events.get(0).path("event_id").asString());
    }

    @Test
    void deadLettersAMalformedEnvelopeUnchangedWithAReasonNamingIt() {
        String notJson = sns("em=joe@example.com&event=Purchase");
        String noDetail = """
                {"version": "0", "id": "e-1", "detail-type": "Conversion", "source": "com.example.shop",
                 "account": "123456789012", "time": "2025-11-28T00:00:01Z", "region": "us-east-1", "resources": []}""";
        send(notJson);
        send(noDetail);

        List<Message> deadLetters = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            deadLetters.addAll(takeAll(QUEUES.dlqUrl()));
            return deadLetters.size() >= 2;
        });

        assertThat(deadLetters).hasSize(2).allSatisfy(deadLetter -> {
            assertThat(attribute(deadLetter, "capi-error-class")).isEqualTo("INVALID_MESSAGE");
            assertThat(attribute(deadLetter, "capi-error-message")).doesNotContain("joe@example.com");
        });
        Map<String, String> reasonByBody = new HashMap<>();
        deadLetters.forEach(m -> reasonByBody.put(m.body(), attribute(m, "capi-error-message")));
        assertThat(reasonByBody).as("each DLQ copy is its envelope, unchanged").containsOnlyKeys(notJson, noDetail);
        assertThat(reasonByBody.get(notJson)).startsWith("SNS envelope: Message is not valid JSON");
        assertThat(reasonByBody.get(noDetail)).isEqualTo("EventBridge envelope: detail is missing");
        meta.verify(0, postRequestedFor(urlPathEqualTo(EVENTS_PATH)));
    }

    private static String purchase(String eventId, long eventTime) {
        return """
                {"pixel_id": "%s", "test_event_code": "TEST-ENVELOPE",
                 "event": {"event_name": "Purchase", "event_time": %d, %s
                   "action_source": "website", "event_source_url": "https://shop.example.com/done",
                   "user_data": {"em": ["John_Smith@gmail.com"], "ph": "+1 (650) 555-1212",
                                 "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"},
                   "custom_data": {"value": 49.99, "currency": "USD"}}}
                """.formatted(PIXEL_ID, eventTime, eventId == null ? "" : "\"event_id\": \"" + eventId + "\",");
    }

    private void send(String body) {
        sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody(body));
    }

    /** The events Meta received, by event id, once there are {@code count} of them. */
    private Map<String, JsonNode> eventsSentToMeta(int count) {
        Map<String, JsonNode> byId = new HashMap<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            byId.clear();
            allEventsSentToMeta().forEach(event -> byId.put(event.path("event_id").asString(), event));
            return byId.size() >= count;
        });
        return byId;
    }

    private List<JsonNode> allEventsSentToMeta() {
        List<JsonNode> events = new ArrayList<>();
        for (LoggedRequest request : meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH)))) {
            JSON.readTree(request.getBodyAsString()).path("data").forEach(events::add);
        }
        return events;
    }

    /** Reads and deletes everything on a queue the worker does not consume (the DLQ). */
    private List<Message> takeAll(String queueUrl) {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                .messageAttributeNames("All").waitTimeSeconds(1)).messages();
        messages.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
        return messages;
    }

    private static String attribute(Message message, String name) {
        return message.messageAttributes().get(name).stringValue();
    }
}
