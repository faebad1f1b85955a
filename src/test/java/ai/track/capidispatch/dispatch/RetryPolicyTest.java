package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Duration BASE = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofMinutes(15);
    private static final Duration TWELVE_HOURS = Duration.ofHours(12);
    private static final int SAMPLES = 1000;

    private final RetryPolicy policy = new RetryPolicy(5, BASE, MAX, Duration.ofMinutes(5));
    private final Random random = new Random(42);

    @Test
    void waitsBetweenHalfTheBaseAndTheBaseAfterTheFirstAttempt() {
        for (int i = 0; i < SAMPLES; i++) {
            assertThat(policy.delay(1, null, random)).isBetween(BASE.dividedBy(2), BASE);
        }
    }

    @Test
    void spreadsTheFirstDelayOverTheWholeJitterRange() {
        LongSummaryStatistics millis = IntStream.range(0, SAMPLES)
                .mapToLong(i -> policy.delay(1, null, random).toMillis()).summaryStatistics();

        assertThat(millis.getMin()).isLessThan(550);
        assertThat(millis.getMax()).isGreaterThan(950);
    }

    @Test
    void roughlyDoublesTheDelayWithEachAttempt() {
        // 1 s · 2^9 = 512 s is the last step below the 15 min cap.
        double previousMean = meanMillis(1);
        for (int attempt = 2; attempt <= 10; attempt++) {
            Duration exponential = BASE.multipliedBy(1L << (attempt - 1));
            for (int i = 0; i < 100; i++) {
                assertThat(policy.delay(attempt, null, random)).as("attempt %d", attempt)
                        .isBetween(exponential.dividedBy(2), exponential);
            }
            double mean = meanMillis(attempt);
            assertThat(mean / previousMean).as("growth from attempt %d to %d", attempt - 1, attempt)
                    .isBetween(1.8, 2.2);
            previousMean = mean;
        }
    }

    @Test
    void capsTheDelayAtMaxDelay() {
        for (int attempt : new int[] {11, 20, 30, 31, 64, 1000, Integer.MAX_VALUE}) {
            for (int i = 0; i < 100; i++) {
                assertThat(policy.delay(attempt, null, random)).as("attempt %d", attempt)
                        .isBetween(MAX.dividedBy(2), MAX);
            }
        }
    }

    @Test
    void doesNotOverflowWithTheLargestAllowedDelays() {
        RetryPolicy longest = new RetryPolicy(1000, TWELVE_HOURS, TWELVE_HOURS, TWELVE_HOURS);

        for (int attempt : new int[] {1, 2, 30, 31, Integer.MAX_VALUE}) {
            assertThat(longest.delay(attempt, null, random)).as("attempt %d", attempt)
                    .isBetween(TWELVE_HOURS.dividedBy(2), TWELVE_HOURS);
        }
    }

    @Test
    void waitsAtLeastAsLongAsMetasRetryAfter() {
        Duration retryAfter = Duration.ofSeconds(30);

        assertThat(policy.delay(1, retryAfter, random)).isEqualTo(retryAfter);
    }

    @Test
    void ignoresARetryAfterShorterThanTheBackoff() {
        // Attempt 5 backs off at least 8 s; the same seed draws the same jitter with and without the hint.
        Duration withHint = policy.delay(5, Duration.ofSeconds(1), new Random(7));
        Duration withoutHint = policy.delay(5, null, new Random(7));

        assertThat(withHint).isEqualTo(withoutHint).isGreaterThanOrEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void neverWaitsLongerThanSqsVisibilityAllows() {
        assertThat(policy.delay(1, Duration.ofHours(13), random)).isEqualTo(TWELVE_HOURS);
        assertThat(policy.delay(Integer.MAX_VALUE, Duration.ofDays(30), random)).isEqualTo(TWELVE_HOURS);
        RetryPolicy longest = new RetryPolicy(3, Duration.ofHours(1), TWELVE_HOURS, Duration.ofMinutes(5));
        for (int i = 0; i < SAMPLES; i++) {
            assertThat(longest.delay(Integer.MAX_VALUE, null, random)).isLessThanOrEqualTo(TWELVE_HOURS);
        }
    }

    @Test
    void isExhaustedAtAndAboveMaxAttemptsOnly() {
        assertThat(policy.exhausted(1)).isFalse();
        assertThat(policy.exhausted(4)).isFalse();
        assertThat(policy.exhausted(5)).isTrue();
        assertThat(policy.exhausted(6)).isTrue();
        assertThat(policy.exhausted(Integer.MAX_VALUE)).isTrue();
    }

    @Test
    void allowsASingleAttempt() {
        RetryPolicy once = new RetryPolicy(1, BASE, MAX, Duration.ofMinutes(5));

        assertThat(once.exhausted(1)).isTrue();
    }

    @Test
    void rejectsFewerThanOneAttempt() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RetryPolicy(0, BASE, MAX, Duration.ofMinutes(5)))
                .withMessageContaining("maxAttempts");
    }

    @Test
    void rejectsABaseDelayAboveMaxDelay() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryPolicy(5, Duration.ofMinutes(16), MAX, Duration.ofMinutes(5)));
    }

    @Test
    void rejectsAZeroOrNegativeBaseDelay() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryPolicy(5, Duration.ZERO, MAX, Duration.ofMinutes(5)));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryPolicy(5, Duration.ofSeconds(-1), MAX, Duration.ofMinutes(5)));
    }

    @Test
    void rejectsAMaxDelayBeyondTwelveHours() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryPolicy(5, BASE, TWELVE_HOURS.plusSeconds(1), Duration.ofMinutes(5)))
                .withMessageContaining("12 h");
    }

    @Test
    void acceptsTheEdgesOfItsRanges() {
        assertThatNoException().isThrownBy(() -> new RetryPolicy(1, BASE, BASE, Duration.ofMinutes(5)));
        assertThatNoException().isThrownBy(() -> new RetryPolicy(1, TWELVE_HOURS, TWELVE_HOURS, Duration.ZERO));
    }

    private double meanMillis(int attempt) {
        return IntStream.range(0, SAMPLES).mapToLong(i -> policy.delay(attempt, null, random).toMillis()).average()
                .orElseThrow();
    }
}
