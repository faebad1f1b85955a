package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightBudgetTest {

    private static final long PERMIT = MessageFootprint.PERMIT_BYTES;
    private static final Duration NO_WAIT = Duration.ZERO;

    @Test
    void grantsAPollAsManyMessagesAsFit() throws Exception {
        InFlightBudget budget = new InFlightBudget(25 * PERMIT);

        assertThat(budget.reservePermits(10, NO_WAIT)).isEqualTo(10);
        assertThat(budget.reservePermits(10, NO_WAIT)).isEqualTo(10);
        assertThat(budget.reservePermits(10, NO_WAIT)).isEqualTo(5);
        assertThat(budget.reservePermits(10, NO_WAIT)).isZero();
        assertThat(budget.used()).isEqualTo(25 * PERMIT);
    }

    @Test
    void smallMessagesGiveBackWhatTheirPollReserved() throws Exception {
        InFlightBudget budget = new InFlightBudget(10 * PERMIT);
        assertThat(budget.reservePermits(10, NO_WAIT)).isEqualTo(10);

        budget.returnPermits(7); // the receive brought three messages
        long held = budget.received(List.of("a".repeat(1000), "b".repeat(1000), "c".repeat(1000)));

        assertThat(held).isEqualTo(3 * (MessageFootprint.PER_MESSAGE_BYTES + 1000));
        assertThat(budget.used()).isEqualTo(held);
        budget.processed(3);
        budget.release(held);
        assertThat(budget.used()).isZero();
    }

    @Test
    void pausesPollingWhenSpentAndResumesWhenReleased() throws Exception {
        InFlightBudget budget = new InFlightBudget(10 * PERMIT);
        assertThat(budget.reservePermits(10, NO_WAIT)).isEqualTo(10);
        long held = budget.received(List.of(big(), big(), big(), big(), big(), big(), big(), big(), big(), big()));
        long dispatching = MessageFootprint.dispatching(big());
        assertThat(budget.admitToDispatch(dispatching)).isDone();
        assertThat(budget.reservePermits(10, NO_WAIT)).as("spent: the poll must wait").isZero();

        var pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> waitingPoll = pool.submit(() -> budget.reservePermits(10, Duration.ofSeconds(10)));
            TimeUnit.MILLISECONDS.sleep(100);
            assertThat(waitingPoll).isNotDone();

            budget.releaseDispatching(dispatching);
            budget.processed(10);
            budget.release(held);

            assertThat(waitingPoll.get(5, TimeUnit.SECONDS)).as("resumed once room freed").isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMessageBiggerThanTheWholeBudgetPassesAlone() throws Exception {
        InFlightBudget budget = new InFlightBudget(PERMIT / 2); // smaller than one permit, smaller than one message

        assertThat(budget.reservePermits(10, NO_WAIT)).as("one message at a time when nothing is held").isEqualTo(1);
        assertThat(budget.reservePermits(10, NO_WAIT)).as("and only one").isZero();
        String body = big();
        long held = budget.received(List.of(body));
        CompletableFuture<Boolean> admitted = budget.admitToDispatch(MessageFootprint.dispatching(body));
        assertThat(admitted).as("nothing else dispatching: admitted although it does not fit").isDone();

        budget.releaseDispatching(MessageFootprint.dispatching(body));
        budget.processed(1);
        budget.release(held);
        assertThat(budget.used()).isZero();
        assertThat(budget.reservePermits(10, NO_WAIT)).isEqualTo(1);
    }

    @Test
    void receivedMessagesWaitToDispatchInOrderAndBeforeNewPolls() throws Exception {
        long dispatchOne = MessageFootprint.dispatching(big());
        InFlightBudget budget = new InFlightBudget(dispatchOne + 3 * PERMIT);
        CompletableFuture<Boolean> first = budget.admitToDispatch(dispatchOne);
        CompletableFuture<Boolean> second = budget.admitToDispatch(dispatchOne);
        CompletableFuture<Boolean> third = budget.admitToDispatch(10);

        assertThat(first).isDone();
        assertThat(second).as("no room: waits").isNotDone();
        assertThat(third).as("behind the second, although it would fit").isNotDone();
        assertThat(budget.waitingMessages()).isEqualTo(2);
        assertThat(budget.reservePermits(1, NO_WAIT)).as("waiting messages go before new polls").isZero();

        budget.releaseDispatching(dispatchOne);

        assertThat(second).isDone();
        assertThat(third).isDone();
        assertThat(budget.waitingMessages()).isZero();
    }

    @Test
    void aProcessedReleaseForAMessageThatNeverReachedTheListenerReturnsItsPermit() throws Exception {
        InFlightBudget budget = new InFlightBudget(10 * PERMIT);
        assertThat(budget.reservePermits(2, NO_WAIT)).isEqualTo(2);
        long held = budget.received(List.of("x")); // of two received, only one reached the listener

        budget.processed(2);
        budget.release(held);

        assertThat(budget.used()).isZero();
    }

    @Test
    void anAnswerReadsWhileThereIsRoomAndWaitsWhenTheBudgetIsSpent() throws Exception {
        InFlightBudget budget = new InFlightBudget(1_000_000);
        assertThat(budget.admitToDispatch(900_000)).isDone();
        RecordingReader answer = new RecordingReader();

        assertThat(budget.mayRead(answer)).as("room left").isTrue();
        budget.read(300_000);
        assertThat(budget.used()).isEqualTo(1_200_000);
        assertThat(budget.mayRead(answer)).as("spent: waits").isFalse();
        assertThat(budget.reservePermits(10, NO_WAIT)).as("an answer waiting goes before new polls").isZero();

        budget.releaseDispatching(900_000);

        assertThat(answer.toldToReadOn).as("told to read on once room freed").isEqualTo(1);
        budget.readDone(answer, 300_000);
        assertThat(budget.used()).isZero();
    }

    @Test
    void messagesWaitingToBeParsedGoBeforeAnswers() {
        InFlightBudget budget = new InFlightBudget(1_000_000);
        assertThat(budget.admitToDispatch(900_000)).isDone();
        CompletableFuture<Boolean> waitingMessage = budget.admitToDispatch(500_000);
        RecordingReader answer = new RecordingReader();

        assertThat(budget.mayRead(answer)).as("room for bytes, but a received message waits").isFalse();
        budget.releaseDispatching(900_000);

        assertThat(waitingMessage).isDone();
        assertThat(answer.toldToReadOn).as("then the answer reads on (room left after the message)").isEqualTo(1);
    }

    @Test
    void whenOnlyAnswersHoldTheBudgetTheOneThatWaitedLongestReadsAlone() {
        InFlightBudget budget = new InFlightBudget(100_000);
        RecordingReader first = new RecordingReader();
        RecordingReader second = new RecordingReader();
        assertThat(budget.mayRead(first)).isTrue();
        budget.read(300_000); // one read past the whole budget

        assertThat(budget.mayRead(first)).as("nothing else could free room: reads on alone").isTrue();
        assertThat(budget.mayRead(second)).as("but only one reads alone").isFalse();
        budget.read(300_000);
        assertThat(budget.mayRead(first)).isTrue();

        budget.readDone(first, 600_000);
        assertThat(second.toldToReadOn).as("the next one goes once the first is decoded").isEqualTo(1);
        budget.read(50_000);
        budget.readDone(second, 50_000);
        assertThat(budget.used()).isZero();
    }

    @Test
    void aReadLeavingRoomLetsTheNextWaitingAnswerReadOn() {
        InFlightBudget budget = new InFlightBudget(1_000_000);
        assertThat(budget.admitToDispatch(999_000)).isDone();
        assertThat(budget.admitToDispatch(400_000)).as("a message waits for room").isNotDone();
        RecordingReader first = new RecordingReader();
        RecordingReader second = new RecordingReader();
        assertThat(budget.mayRead(first)).isFalse();
        assertThat(budget.mayRead(second)).isFalse();

        budget.releaseDispatching(999_000); // the waiting message goes in: 400,000 held
        assertThat(first.toldToReadOn).isEqualTo(1);
        assertThat(second.toldToReadOn).as("one at a time").isZero();
        budget.read(10_000);
        assertThat(second.toldToReadOn).as("room after the first one's read").isEqualTo(1);
    }

    @Test
    void onceStoppingWaitingMessagesAndLaterOnesAreNotAdmitted() {
        InFlightBudget budget = new InFlightBudget(1_000);
        CompletableFuture<Boolean> sending = budget.admitToDispatch(900);
        CompletableFuture<Boolean> waitingMessage = budget.admitToDispatch(900);

        budget.stopAdmitting();

        assertThat(sending).isCompletedWithValue(true);
        assertThat(waitingMessage).as("not started").isCompletedWithValue(false);
        assertThat(budget.admitToDispatch(10)).as("received after the stop began").isCompletedWithValue(false);
        assertThat(budget.waitingMessages()).isZero();
        budget.releaseDispatching(900);
        assertThat(budget.used()).as("only the message being sent held anything").isZero();
    }

    @Test
    void afterLargeMessagesAPollAsksForFewerUntilSmallOnesHaveComeAgain() throws Exception {
        InFlightBudget budget = new InFlightBudget(10 * 1024 * 1024);
        assertThat(budget.reservePermits(10, NO_WAIT)).isEqualTo(10);
        long held = budget.received(List.of(big())); // one of ten came, and it is 1 MiB
        budget.returnPermits(9);
        budget.processed(1);
        budget.release(held);
        assertThat(budget.used()).isZero();

        assertThat(budget.reservePermits(10, NO_WAIT)).as("three answers of 1 MiB fit in 10 MiB").isEqualTo(3);
        assertThat(budget.reservePermits(10, NO_WAIT)).as("and they are expected to fill it").isZero();

        long small = budget.received(java.util.Collections.nCopies(300, "{\"event_name\":\"Lead\"}"));
        budget.processed(300);
        budget.release(small);
        assertThat(budget.used()).isZero();
        assertThat(budget.reservePermits(10, NO_WAIT)).as("300 small messages later: all asked for").isEqualTo(10);
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new InFlightBudget(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    private static final class RecordingReader implements InFlightBudget.Reader {

        int toldToReadOn;

        @Override
        public void readOn() {
            toldToReadOn++;
        }
    }

    private static String big() {
        return "x".repeat((int) MessageFootprint.MAX_BODY_BYTES - 100);
    }
}
