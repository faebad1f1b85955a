package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import io.awspring.cloud.sqs.listener.backpressure.BackPressureHandler.ReleaseReason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PollPacerTest {

    private static final Duration SPARSE_DELAY = Duration.ofMillis(50);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    /** Never waits: grants now or not at all, so every decision is read off the injected clock. */
    private final PollPacer pacer = new PollPacer(200, SPARSE_DELAY, Duration.ZERO, now::get);

    @Test
    void startsWithOnePollAndGrantsTheWholeAmountForIt() throws InterruptedException {
        assertThat(pacer.request(10)).isEqualTo(10);
        assertThat(pacer.request(10)).as("a second poll while the first runs").isZero();
    }

    @Test
    void addsAPollAfterEachFullReceiveUpToTheMaximum() throws InterruptedException {
        PollPacer small = new PollPacer(5, SPARSE_DELAY, Duration.ZERO, now::get);
        for (int expected : new int[] {2, 3, 4, 5, 5}) {
            small.request(10);
            small.release(0, ReleaseReason.PARTIAL_FETCH); // all ten permits used: a full receive
            assertThat(small.allowedPolls()).isEqualTo(expected);
        }
        for (int poll = 0; poll < 5; poll++) {
            assertThat(small.request(10)).isEqualTo(10);
        }
        assertThat(small.request(10)).isZero();
    }

    @Test
    void halvesThePollsAfterAShortReceiveSoADeepQueueThatNowAndThenReturnsFewerKeepsItsSpeed()
            throws InterruptedException {
        growTo(16);
        pacer.request(10);
        pacer.release(7, ReleaseReason.PARTIAL_FETCH); // three messages of ten

        assertThat(pacer.allowedPolls()).isEqualTo(8);
        assertThat(pacer.request(10)).as("more than one poll left: no pause").isEqualTo(10);
    }

    @Test
    void aShortReceiveDownToOnePollMakesTheNextWaitTheSparseDelaySoMessagesGather() throws InterruptedException {
        pacer.request(10);
        pacer.release(8, ReleaseReason.PARTIAL_FETCH);

        assertThat(pacer.allowedPolls()).isEqualTo(1);
        assertThat(pacer.request(10)).as("within the delay").isZero();
        now.addAndGet(SPARSE_DELAY.toNanos() - 1);
        assertThat(pacer.request(10)).isZero();
        now.addAndGet(1);
        assertThat(pacer.request(10)).as("the delay is over").isEqualTo(10);
    }

    @Test
    void anEmptyReceiveLeavesOnePollStartedAtOnceBecauseTheLongPollHasAlreadyWaited() throws InterruptedException {
        growTo(8);
        pacer.request(10);
        pacer.release(10, ReleaseReason.NONE_FETCHED);

        assertThat(pacer.allowedPolls()).isEqualTo(1);
        assertThat(pacer.request(10)).isEqualTo(10);
    }

    @Test
    void processedMessagesSayNothingAboutTheQueue() throws InterruptedException {
        pacer.request(10);
        pacer.release(1, ReleaseReason.PROCESSED);
        pacer.release(3, ReleaseReason.LIMITED);

        assertThat(pacer.allowedPolls()).isEqualTo(1);
        assertThat(pacer.request(10)).as("the poll still runs").isZero();
    }

    @Test
    void aWaitingPollStartsAsSoonAsTheRunningOneReturns() throws Exception {
        PollPacer waiting = new PollPacer(200, Duration.ZERO, Duration.ofSeconds(30), System::nanoTime);
        waiting.request(10);
        CompletableFuture<Integer> next = CompletableFuture.supplyAsync(() -> request(waiting));

        Thread.sleep(50); // let it wait: the first poll is still running
        assertThat(next).isNotDone();
        waiting.release(10, ReleaseReason.NONE_FETCHED);

        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(10);
    }

    @Test
    void aDrainReleasesAWaitingPollWithNothingSoAStoppingContainerIsNotKeptWaiting() throws Exception {
        PollPacer waiting = new PollPacer(200, Duration.ZERO, Duration.ofSeconds(30), System::nanoTime);
        waiting.request(10);
        CompletableFuture<Integer> next = CompletableFuture.supplyAsync(() -> request(waiting));

        Thread.sleep(50);
        assertThat(waiting.drain(Duration.ofSeconds(1))).isTrue();

        assertThat(next.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(waiting.request(10)).as("drained for good").isZero();
    }

    @Test
    void givesUpAfterItsLongestWaitAndGrantsNothing() throws Exception {
        PollPacer waiting = new PollPacer(200, Duration.ZERO, Duration.ofMillis(100), System::nanoTime);
        waiting.request(10);

        assertThat(CompletableFuture.supplyAsync(() -> request(waiting)).get(5, TimeUnit.SECONDS)).isZero();
    }

    private void growTo(int polls) throws InterruptedException {
        while (pacer.allowedPolls() < polls) {
            pacer.request(10);
            pacer.release(0, ReleaseReason.PARTIAL_FETCH);
        }
        assertThat(pacer.allowedPolls()).isEqualTo(polls);
    }

    private static int request(PollPacer pacer) {
        try {
            return pacer.request(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
