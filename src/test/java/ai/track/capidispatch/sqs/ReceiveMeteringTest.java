package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.support.TestInfrastructure;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * Receive answers counted against the byte budget as they arrive: with the worker's real HTTP layer (the CRT client
 * with its small read-ahead) against the embedded SQS server, and piece by piece against a stand-in body.
 */
class ReceiveMeteringTest {

    private static final int BODY = 100 * 1024;

    @Test
    void aReceiveWhoseAnswerDoesNotFitWaitsForRoomThenCompletesAndFreesWhatItHeld() throws Exception {
        SqsClient setUp = TestInfrastructure.sqs().client();
        String queue = TestInfrastructure.sqs().createQueue("metered-receive", Map.of());
        for (int i = 0; i < 5; i++) {
            String body = String.valueOf(i).repeat(BODY);
            setUp.sendMessage(b -> b.queueUrl(queue).messageBody(body));
        }
        // 500 KB of bodies is 1.5 MB as an answer counts; 100 KB are held by a message being sent.
        InFlightBudget budget = new InFlightBudget(400 * 1024);
        assertThat(budget.admitToDispatch(100 * 1024)).isDone();

        try (SqsAsyncClient sqs = TestInfrastructure.sqs().asyncClientBuilder()
                .httpClientBuilder(CrtHttpClient.builder(4, Duration.ofSeconds(5)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ReceiveMetering(budget)))
                .build()) {
            CompletableFuture<ReceiveMessageResponse> receive = sqs.receiveMessage(b -> b.queueUrl(queue)
                    .maxNumberOfMessages(10).waitTimeSeconds(1));

            TimeUnit.SECONDS.sleep(2);
            assertThat(receive).as("the answer waits while the budget is spent").isNotDone();
            assertThat(budget.used()).as("what it has read so far, counted: at least the limit, at most one read-ahead"
                    + " past it").isGreaterThanOrEqualTo(budget.limit())
                    .isLessThanOrEqualTo(budget.limit() + MessageFootprint.answer(
                            MessageFootprint.RECEIVE_READ_AHEAD_BYTES));

            budget.releaseDispatching(100 * 1024);

            // Now only the answer holds the budget: it reads on alone, past the limit, to the end.
            ReceiveMessageResponse answer = receive.get(10, TimeUnit.SECONDS);
            assertThat(answer.messages()).hasSize(5)
                    .allSatisfy(message -> assertThat(message.body()).hasSize(BODY));
            assertThat(budget.used()).as("decoded: the answer holds nothing more").isZero();
        }
    }

    @Test
    void smallAnswersAreCountedAndFreedWithoutWaiting() throws Exception {
        SqsClient setUp = TestInfrastructure.sqs().client();
        String queue = TestInfrastructure.sqs().createQueue("metered-small", Map.of());
        setUp.sendMessage(b -> b.queueUrl(queue).messageBody("{\"event_name\":\"Lead\"}"));
        InFlightBudget budget = new InFlightBudget(10L * 1024 * 1024);
        List<Long> heldWhileReading = new ArrayList<>();

        try (SqsAsyncClient sqs = TestInfrastructure.sqs().asyncClientBuilder()
                .httpClientBuilder(CrtHttpClient.builder(4, Duration.ofSeconds(5)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ReceiveMetering(budget))
                        .addExecutionInterceptor(new ExecutionInterceptor() {
                            @Override
                            public void afterUnmarshalling(
                                    Context.AfterUnmarshalling context,
                                    ExecutionAttributes attributes) {
                                heldWhileReading.add(budget.used());
                            }
                        }))
                .build()) {
            assertThat(sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)).get(10, TimeUnit.SECONDS)
                    .messages()).hasSize(1);
            assertThat(sqs.sendMessage(b -> b.queueUrl(queue).messageBody("x")).get(10, TimeUnit.SECONDS)
                    .messageId()).isNotBlank();
        }
        assertThat(heldWhileReading).as("held while decoded: the receive's answer, three times its bytes; the send's"
                + " answer is not counted").hasSize(2).first()
                .satisfies(held -> assertThat(held).isGreaterThan(MessageFootprint.answer(100)));
        assertThat(heldWhileReading.get(1)).isZero();
        assertThat(budget.used()).as("nothing held after the calls").isZero();
    }

    @Test
    void piecesAreAskedForOneAtATimeAndOnlyWhileTheBudgetHasRoom() {
        InFlightBudget budget = new InFlightBudget(1_000);
        assertThat(budget.admitToDispatch(500)).isDone();
        PieceByPiece body = new PieceByPiece(4, 200);
        MeteredAnswer answer = new MeteredAnswer(body, budget);
        Collecting sdk = new Collecting();

        answer.subscribe(sdk);

        assertThat(sdk.bytes).as("200 bytes read count 600: spent after the first").isEqualTo(200);
        assertThat(body.requested).as("one piece asked for, although the SDK asked for all").isEqualTo(1);
        budget.releaseDispatching(500);
        assertThat(sdk.bytes).as("alone, it reads on to the end").isEqualTo(800);
        assertThat(sdk.completed).isTrue();
        assertThat(budget.used()).isEqualTo(2_400);

        answer.release();
        answer.release();
        assertThat(budget.used()).as("released once").isZero();
    }

    @Test
    void aCancelledAnswerFreesWhatItHeldAndStopsWaiting() {
        InFlightBudget budget = new InFlightBudget(1_000);
        assertThat(budget.admitToDispatch(900)).isDone();
        PieceByPiece body = new PieceByPiece(4, 200);
        MeteredAnswer answer = new MeteredAnswer(body, budget);
        Collecting sdk = new Collecting();
        answer.subscribe(sdk);
        assertThat(budget.used()).isEqualTo(900 + 600);

        sdk.subscription.cancel();

        assertThat(body.cancelled).isTrue();
        assertThat(budget.used()).isEqualTo(900);
        budget.releaseDispatching(900);
        assertThat(body.requested).as("not told to read on after the cancel").isEqualTo(1);
    }

    /** An HTTP body of {@code pieces} pieces of {@code size} bytes, each sent when asked for. */
    private static final class PieceByPiece implements Publisher<ByteBuffer> {

        private final int pieces;
        private final int size;
        int requested;
        int sent;
        boolean cancelled;

        PieceByPiece(int pieces, int size) {
            this.pieces = pieces;
            this.size = size;
        }

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                    requested += (int) n;
                    for (long i = 0; i < n && sent < pieces && !cancelled; i++) {
                        sent++;
                        subscriber.onNext(ByteBuffer.wrap("x".repeat(size).getBytes(StandardCharsets.US_ASCII)));
                    }
                    if (sent == pieces && !cancelled) {
                        subscriber.onComplete();
                    }
                }

                @Override
                public void cancel() {
                    cancelled = true;
                }
            });
        }
    }

    /** The SDK's side: asks for everything at once, as its response handler does. */
    private static final class Collecting implements Subscriber<ByteBuffer> {

        Subscription subscription;
        long bytes;
        boolean completed;

        @Override
        public void onSubscribe(Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer piece) {
            bytes += piece.remaining();
        }

        @Override
        public void onError(Throwable failure) {
            throw new AssertionError(failure);
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }
}
