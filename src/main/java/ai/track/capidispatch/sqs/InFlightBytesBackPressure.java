package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.listener.backpressure.BackPressureHandler;
import java.time.Duration;

/**
 * {@link InFlightBudget} as one of Spring Cloud AWS's back-pressure handlers: a poll asks for as many messages as
 * fit in the bytes left. It sits after the concurrency limiter and before {@link PollPacer} in the composite, so
 * the pacer (which takes the last word) only counts polls that really start. One per container start; the budget
 * itself outlives restarts, as the messages of a stopped container may still be settling.
 */
final class InFlightBytesBackPressure implements BackPressureHandler {

    private final InFlightBudget budget;
    private final Duration maxWait;
    private volatile boolean drained;

    /** @param maxWait how long a poll waits for room before it is granted nothing (the polling loop asks again) */
    InFlightBytesBackPressure(InFlightBudget budget, Duration maxWait) {
        this.budget = budget;
        this.maxWait = maxWait;
    }

    @Override
    public int request(int amount) throws InterruptedException {
        return drained ? 0 : budget.reservePermits(amount, maxWait);
    }

    @Override
    public void release(int amount, ReleaseReason reason) {
        if (amount <= 0) {
            return;
        }
        if (reason == ReleaseReason.PROCESSED) {
            budget.processed(amount);
        } else {
            budget.returnPermits(amount); // NONE_FETCHED, PARTIAL_FETCH, LIMITED: asked for, never received
        }
    }

    /** Nothing of its own to wait for: the concurrency limiter waits for the messages in flight. */
    @Override
    public boolean drain(Duration timeout) {
        drained = true;
        return true;
    }
}
