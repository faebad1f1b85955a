package ai.track.capidispatch.sqs;

import static ai.track.capidispatch.support.TestInfrastructure.ACCESS_TOKEN;
import static ai.track.capidispatch.support.TestInfrastructure.APP_SECRET;
import static ai.track.capidispatch.support.TestInfrastructure.PIXEL_ID;
import static ai.track.capidispatch.support.TestInfrastructure.SECOND_PIXEL_ID;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.awspring.cloud.sqs.listener.AbstractMessageListenerContainer;
import io.awspring.cloud.sqs.listener.MessageListenerContainerRegistry;
import io.awspring.cloud.sqs.support.converter.SqsMessageConversionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The whole path against real parts: embedded ElasticMQ over HTTP, the real SQS and Secrets Manager SDK
 * clients, real OkHttp, and WireMock standing in for the Graph API and Secrets Manager.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EndToEndDeliveryTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-delivery", 10);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @LocalServerPort
    int port;

    @Autowired
    MessageListenerContainerRegistry containers;

    @BeforeEach
    void stubMeta() {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":1,\"messages\":[],\"fbtrace_id\":\"AbCdEfTrace\"}")));
    }

    @AfterEach
    void drain() {
        // Let anything still retrying succeed, so no test leaves work behind for the next.
        meta.stubFor(post(urlPathEqualTo("/v26.0/" + SECOND_PIXEL_ID + "/events")).willReturn(aResponse()
                .withStatus(200).withBody("{\"events_received\":1,\"fbtrace_id\":\"drain\"}")));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);
    }

    @Test
    void deliversAnEventToMetaAndDeletesTheMessage() {
        long eventTime = Instant.now().getEpochSecond() - 60;
        sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"pixel_id": "%s", "test_event_code": "TEST123",
                 "event": {"event_name": "Purchase", "event_time": %d, "event_id": "order-8812",
                   "action_source": "website", "event_source_url": "https://shop.example.com/done",
                   "user_data": {"em": ["John_Smith@gmail.com"], "client_ip_address": "203.0.113.7",
                                 "client_user_agent": "Mozilla/5.0", "fbp": "fb.1.1764287000000.123456789"},
                   "custom_data": {"value": 49.99, "currency": "USD", "content_ids": ["sku-1"], "coupon": "X1"}}}
                """.formatted(PIXEL_ID, eventTime)));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                meta.verify(1, postRequestedFor(urlPathEqualTo(EVENTS_PATH))));

        LoggedRequest request = meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))).get(0);
        assertThat(request.getUrl()).as("token travels in the body, never in the URL").isEqualTo(EVENTS_PATH);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        meta.verify(postRequestedFor(urlEqualTo(EVENTS_PATH)).withRequestBody(equalToJson("""
                {"data": [{"event_name": "Purchase", "event_time": %d, "event_id": "order-8812",
                   "action_source": "website", "event_source_url": "https://shop.example.com/done",
                   "user_data": {"em": ["62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"],
                                 "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0",
                                 "fbp": "fb.1.1764287000000.123456789"},
                   "custom_data": {"value": 49.99, "currency": "USD", "content_ids": ["sku-1"], "coupon": "X1"}}],
                 "access_token": "%s",
                 "appsecret_proof": "%s",
                 "test_event_code": "TEST123"}
                """.formatted(eventTime, ACCESS_TOKEN, hmacSha256Hex(APP_SECRET, ACCESS_TOKEN)))));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);
        assertThat(receiveAll(QUEUES.dlqUrl())).isEmpty();
    }

    @Test
    void convertsTheListenersMessagesInOnePass() {
        // Spring Cloud AWS sets a payload type mapper on the converter when it registers the listener; the one-pass
        // conversion must still apply to the listener's plain messages, or it would silently be dead code.
        var container = (AbstractMessageListenerContainer<?, ?, ?>) containers.getContainerById(
                ConversionEventListener.LISTENER_ID);
        var converter = (StringMessageConverter) container.getContainerOptions().getMessageConverter();
        SqsMessageConversionContext listenerTakesStrings = new SqsMessageConversionContext();
        listenerTakesStrings.setPayloadClass(String.class);

        assertThat(converter.convertInOnePass(Message.builder().messageId("0b6a1d2e-3f40-4c5d-8e9f-a0b1c2d3e4f5")
                .receiptHandle("receipt").body("{}").build(), listenerTakesStrings)).isNotNull();
    }

    @Test
    void leavesTheMessageOnTheQueueWhenMetaFails() {
        String secondPixelPath = "/v26.0/" + SECOND_PIXEL_ID + "/events";
        meta.stubFor(post(urlPathEqualTo(secondPixelPath)).willReturn(aResponse().withStatus(500)
                .withBody("<html>Internal Server Error</html>")));
        sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"pixel_id": "%s", "event": {"event_name": "Lead", "event_time": %d, "event_id": "lead-1",
                 "action_source": "system_generated", "user_data": {"external_id": "crm-42"}}}
                """.formatted(SECOND_PIXEL_ID, Instant.now().getEpochSecond())));

        // A second request with the same event means the message was not deleted: it came back after its
        // backoff (2.5-5 s for a first failure, well before the queue's 10 s visibility timeout).
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                meta.verify(2, postRequestedFor(urlPathEqualTo(secondPixelPath))
                        .withRequestBody(containing("\"event_id\":\"lead-1\""))));
        assertThat(TestInfrastructure.messagesOnQueue(QUEUES.queueUrl())).isEqualTo(1);
        assertThat(receiveAll(QUEUES.dlqUrl())).as("a Meta outage is no reason to dead-letter").isEmpty();
    }

    @Test
    void deadLettersABodyThatIsNotJsonWithItsReason() {
        String body = "{\"pixel_id\": \"" + PIXEL_ID + "\", \"event\": ";
        sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody(body));

        await().atMost(Duration.ofSeconds(15))
                .until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);
        List<Message> deadLetters = receiveAll(QUEUES.dlqUrl());
        assertThat(deadLetters).hasSize(1);
        Message deadLetter = deadLetters.get(0);
        assertThat(deadLetter.body()).as("the original body, unchanged").isEqualTo(body);
        assertThat(deadLetter.messageAttributes().get("capi-error-class").stringValue()).isEqualTo("INVALID_MESSAGE");
        assertThat(deadLetter.messageAttributes().get("capi-error-message").stringValue()).contains("not valid JSON");
        assertThat(deadLetter.messageAttributes().get("capi-attempts").stringValue()).isEqualTo("1");
        assertThat(deadLetter.messageAttributes()).containsKey("capi-source-message-id");
        meta.verify(0, postRequestedFor(urlPathEqualTo(EVENTS_PATH)));
    }

    @Test
    void hashesRawCustomerDataAndPassesPreHashedValuesUnchanged() {
        String preHashedEmail = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
        sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"event": {"event_name": "Lead", "event_time": %d, "event_id": "lead-hash-1",
                 "action_source": "system_generated",
                 "user_data": {"em": ["%s"], "ph": "+1 (650) 555-1212", "fn": "Valéry",
                               "country": "United States", "fbc": "fb.1.1764287000000.AbCdEf"}}}
                """.formatted(Instant.now().getEpochSecond(), preHashedEmail)));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                meta.verify(1, postRequestedFor(urlPathEqualTo(EVENTS_PATH))));
        meta.verify(postRequestedFor(urlEqualTo(EVENTS_PATH)).withRequestBody(equalToJson("""
                {"data": [{"event_id": "lead-hash-1",
                  "user_data": {"em": ["%s"],
                                "ph": ["e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"],
                                "fn": ["08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"],
                                "country": ["79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"],
                                "fbc": "fb.1.1764287000000.AbCdEf"}}]}
                """.formatted(preHashedEmail), true, true)));
        String body = meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH))).get(0).getBodyAsString();
        assertThat(body).doesNotContain("650").doesNotContainIgnoringCase("valéry").doesNotContain("United States");
    }

    @Test
    void deadLettersInvalidAndExpiredEventsWithoutSendingThem() {
        long eightDaysAgo = Instant.now().minus(Duration.ofDays(8)).getEpochSecond();
        sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"event": {"event_name": "Purchase", "event_time": %d, "action_source": "website",
                 "user_data": {"em": "someone@example.com"}}}
                """.formatted(Instant.now().getEpochSecond())));
        sqs.sendMessage(b -> b.queueUrl(QUEUES.queueUrl()).messageBody("""
                {"event": {"event_name": "Lead", "event_time": %d, "action_source": "system_generated",
                 "user_data": {"external_id": "crm-1"}}}
                """.formatted(eightDaysAgo)));

        await().atMost(Duration.ofSeconds(15))
                .until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);
        List<Message> deadLetters = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            deadLetters.addAll(receiveAll(QUEUES.dlqUrl()));
            return deadLetters.size() == 2;
        });
        Map<String, String> reasonByClass = new java.util.HashMap<>();
        deadLetters.forEach(m -> reasonByClass.put(m.messageAttributes().get("capi-error-class").stringValue(),
                m.messageAttributes().get("capi-error-message").stringValue()));
        assertThat(reasonByClass).containsOnlyKeys("INVALID_EVENT", "EXPIRED");
        assertThat(reasonByClass.get("INVALID_EVENT")).contains("event_source_url").contains("client_user_agent")
                .doesNotContain("someone@example.com");
        assertThat(reasonByClass.get("EXPIRED")).contains("7 days");
        meta.verify(0, postRequestedFor(urlPathEqualTo(EVENTS_PATH)));
    }

    @Test
    void healthIsUpWhileConsuming() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"");

        String details = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(details).contains("\"listener\"").contains("\"running\":true")
                .contains("\"credentials\"").contains("\"loadedAt\"")
                .contains("\"metaCircuitBreaker\"").contains("\"state\":\"CLOSED\"")
                .contains("\"readinessState\"");
    }


    /** Reads and deletes everything on a queue the worker does not consume (the DLQ). */
    private List<Message> receiveAll(String queueUrl) {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                .messageAttributeNames("All").messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .waitTimeSeconds(1)).messages();
        messages.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
        return messages;
    }

    private static String hmacSha256Hex(String key, String message) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(
                    message.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
