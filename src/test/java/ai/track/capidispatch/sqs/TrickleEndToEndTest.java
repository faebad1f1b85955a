package ai.track.capidispatch.sqs;

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
import io.awspring.cloud.autoconfigure.sqs.SqsAsyncClientCustomizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Events arriving a few at a time, as they do in production most of the day: each SQS call (about a millisecond
 * of the worker's CPU) should carry several messages, not one. Without pacing, every waiting long poll took a
 * message or two as it arrived, and every poll's messages were deleted on their own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class TrickleEndToEndTest {

    private static final Queues QUEUES = TestInfrastructure.createQueues("e2e-trickle", 60);
    private static final String EVENTS_PATH = "/v26.0/" + PIXEL_ID + "/events";
    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"(trickle-\\d+)\"");
    /** 200 events/s for two seconds, two every 10 ms. */
    private static final int EVENTS = 400;

    private static final AtomicInteger NON_EMPTY_RECEIVES = new AtomicInteger();
    private static final AtomicInteger RECEIVED = new AtomicInteger();
    private static final AtomicInteger DELETE_CALLS = new AtomicInteger();
    private static final AtomicInteger DELETED = new AtomicInteger();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry, QUEUES);
    }

    /** Counts what the worker's own SQS client sends and gets, at the SDK's edge. */
    @TestConfiguration
    static class CountSqsCalls {
        @Bean
        SqsAsyncClientCustomizer countSqsCalls() {
            ExecutionInterceptor counter = new ExecutionInterceptor() {
                @Override
                public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                    if (context.response() instanceof ReceiveMessageResponse received && received.hasMessages()
                            && !received.messages().isEmpty()) {
                        NON_EMPTY_RECEIVES.incrementAndGet();
                        RECEIVED.addAndGet(received.messages().size());
                    } else if (context.request() instanceof DeleteMessageBatchRequest delete) {
                        DELETE_CALLS.incrementAndGet();
                        DELETED.addAndGet(delete.entries().size());
                    }
                }
            };
            return builder -> builder.overrideConfiguration(
                    builder.overrideConfiguration().toBuilder().addExecutionInterceptor(counter).build());
        }
    }

    private final WireMockServer meta = TestInfrastructure.wireMock();
    private final SqsClient sqs = TestInfrastructure.sqs().client();

    @Test
    void aTrickleOfEventsTakesSeveralMessagesPerReceiveAndDeletesThemInTens() throws InterruptedException {
        meta.resetAll();
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        meta.stubFor(post(urlPathEqualTo(EVENTS_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"events_received\":{{jsonPath request.body '$.data.length()'}},\"fbtrace_id\":\"T\"}")
                .withTransformers("response-template")));
        NON_EMPTY_RECEIVES.set(0);
        RECEIVED.set(0);
        DELETE_CALLS.set(0);
        DELETED.set(0);

        trickle();
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveredEventIds().size() >= EVENTS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestInfrastructure.messagesOnQueue(QUEUES.queueUrl()) == 0);

        assertThat(deliveredEventIds()).as("each event once").doesNotHaveDuplicates().hasSize(EVENTS);
        double perReceive = (double) RECEIVED.get() / NON_EMPTY_RECEIVES.get();
        double perDelete = (double) DELETED.get() / DELETE_CALLS.get();
        // Measured here: 5.5 per receive (1.0 without PollPacer), 7.8 per delete (5.1 when each poll deleted its
        // own). A slower machine only gathers more.
        assertThat(perReceive).as("messages per receive (%d receives)", NON_EMPTY_RECEIVES.get())
                .isGreaterThanOrEqualTo(3);
        assertThat(perDelete).as("messages per delete (%d deletes)", DELETE_CALLS.get()).isGreaterThanOrEqualTo(6);
    }

    private void trickle() throws InterruptedException {
        long now = Instant.now().getEpochSecond();
        for (int sent = 0; sent < EVENTS; sent += 2) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(2);
            for (int i = sent; i < sent + 2; i++) {
                entries.add(SendMessageBatchRequestEntry.builder().id("e" + i).messageBody("""
                        {"event": {"event_name": "Lead", "event_time": %d, "event_id": "trickle-%d",
                         "action_source": "system_generated", "user_data": {"external_id": "crm-%d"}}}
                        """.formatted(now, i, i)).build());
            }
            sqs.sendMessageBatch(b -> b.queueUrl(QUEUES.queueUrl()).entries(entries));
            Thread.sleep(10);
        }
    }

    /** Event ids of every event Meta was sent, repeats included. */
    private List<String> deliveredEventIds() {
        List<String> ids = new ArrayList<>();
        for (LoggedRequest request : meta.findAll(postRequestedFor(urlPathEqualTo(EVENTS_PATH)))) {
            Matcher matcher = EVENT_ID.matcher(request.getBodyAsString());
            while (matcher.find()) {
                ids.add(matcher.group(1));
            }
        }
        return ids;
    }
}
