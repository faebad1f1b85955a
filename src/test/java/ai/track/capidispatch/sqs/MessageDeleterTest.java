package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.support.TestInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** Against the embedded SQS server, through the real async client: what reaches SQS, and when callers hear back. */
class MessageDeleterTest {

    private static final SqsClient SQS = TestInfrastructure.sqs().client();

    private final String queueUrl = TestInfrastructure.sqs().createQueue("deleter-" + System.nanoTime(), Map.of());
    /** Entries per DeleteMessageBatch call, in the order SQS got them. */
    private final List<Integer> deleteCalls = new CopyOnWriteArrayList<>();
    private final SqsAsyncClient client = TestInfrastructure.sqs().newAsyncClient(new ExecutionInterceptor() {
        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof DeleteMessageBatchRequest delete) {
                deleteCalls.add(delete.entries().size());
            }
        }
    });

    private boolean closed;

    @AfterEach
    void close() {
        if (!closed) {
            client.close();
        }
    }

    @Test
    void deletesInTensAndSendsTheRestAfterTheLinger() throws Exception {
        MessageDeleter deleter = deleter(Duration.ofMillis(100));
        List<String> handles = receive(25);

        deleter.delete(handles).get(5, TimeUnit.SECONDS);

        assertThat(deleteCalls).containsExactly(10, 10, 5);
        assertThat(messagesLeft()).isZero();
    }

    @Test
    void gathersTheDeletesOfManySmallSettlementsIntoOneCall() throws Exception {
        // A Meta batch settles many polls of one or two messages at once.
        MessageDeleter deleter = deleter(Duration.ofSeconds(2));
        List<String> handles = receive(13);
        List<CompletableFuture<Void>> settled = new ArrayList<>();
        settled.add(deleter.delete(handles.subList(0, 2)));
        for (String handle : handles.subList(2, 13)) {
            settled.add(deleter.delete(List.of(handle)));
        }

        settled.get(0).get(5, TimeUnit.SECONDS);
        assertThat(deleteCalls).as("the first ten went together, at once").containsExactly(10);
        assertThat(settled.get(11)).as("the rest waits for company").isNotDone();

        CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(deleteCalls).containsExactly(10, 3);
        assertThat(messagesLeft()).isZero();
    }

    @Test
    void aCallerHearsBackOnlyOnceSqsHasDeletedItsMessages() throws Exception {
        MessageDeleter deleter = deleter(Duration.ofMillis(50));
        List<String> handles = receive(3);

        CompletableFuture<Void> deleted = deleter.delete(handles);
        assertThat(deleted).isNotDone();
        deleted.get(5, TimeUnit.SECONDS);

        assertThat(messagesLeft()).isZero();
    }

    @Test
    void aMessageSqsCannotDeleteIsLeftForRedeliveryWithoutFailingTheOthers() throws Exception {
        MessageDeleter deleter = deleter(Duration.ZERO);
        List<String> handles = new ArrayList<>(receive(2));
        handles.add(1, "not-a-receipt-handle");

        deleter.delete(handles).get(5, TimeUnit.SECONDS); // completes normally: nothing for the listener to handle

        assertThat(deleteCalls).containsExactly(3);
        assertThat(messagesLeft()).isZero();
    }

    @Test
    void aDeleteThatCannotReachSqsCompletesSoTheListenerIsNotStuck() throws Exception {
        MessageDeleter deleter = deleter(Duration.ZERO);
        List<String> handles = receive(2);
        client.close();
        closed = true;

        deleter.delete(handles).get(5, TimeUnit.SECONDS);

        assertThat(messagesLeft()).as("left for redelivery").isEqualTo(2);
    }

    @Test
    void theContextsCloseSendsWhatStillWaits() throws Exception {
        MessageDeleter deleter = deleter(Duration.ofMinutes(1));
        CompletableFuture<Void> deleted = deleter.delete(receive(4));

        deleter.destroy();

        deleted.get(5, TimeUnit.SECONDS);
        assertThat(deleteCalls).containsExactly(4);
        assertThat(messagesLeft()).isZero();
    }

    private MessageDeleter deleter(Duration linger) {
        return new MessageDeleter(client, TestSqsProperties.of(queueUrl, queueUrl + "-dlq", linger));
    }

    /** Puts {@code count} messages on the queue and receives them all: their receipt handles. */
    private List<String> receive(int count) {
        for (int start = 0; start < count; start += 10) {
            List<SendMessageBatchRequestEntry> entries = IntStream.range(start, Math.min(count, start + 10))
                    .mapToObj(i -> SendMessageBatchRequestEntry.builder().id("m" + i).messageBody("{}").build())
                    .toList();
            SQS.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        }
        List<String> handles = new ArrayList<>();
        while (handles.size() < count) {
            for (Message message : SQS.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(60).waitTimeSeconds(1)).messages()) {
                handles.add(message.receiptHandle());
            }
        }
        return handles;
    }

    private int messagesLeft() {
        return TestInfrastructure.messagesOnQueue(queueUrl);
    }
}
