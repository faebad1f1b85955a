package ai.track.capidispatch.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private long now = 0;
    private final List<Long> sleeps = new ArrayList<>();
    private final RateLimiter.Sleeper sleeper = nanos -> {
        sleeps.add(nanos);
        now += nanos;
    };

    @Test
    void spacesMessagesToTheRate() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(10, () -> now, sleeper);

        limiter.acquire(10);
        limiter.acquire(10);
        limiter.acquire(1);

        assertThat(sleeps).containsExactly(TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void idleTimeDoesNotBecomeABurst() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(2, () -> now, sleeper);
        limiter.acquire(1);
        now += TimeUnit.MINUTES.toNanos(1);

        limiter.acquire(1);
        limiter.acquire(1);

        assertThat(sleeps).containsExactly(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void unlimitedNeverWaits() throws InterruptedException {
        RateLimiter limiter = RateLimiter.perSecond(null);
        long start = System.nanoTime();

        for (int i = 0; i < 1000; i++) {
            limiter.acquire(10);
        }

        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void rejectsARateOfZero() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RateLimiter(0, () -> now, sleeper));
    }
}
