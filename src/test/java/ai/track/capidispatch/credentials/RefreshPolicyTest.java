package ai.track.capidispatch.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefreshPolicyTest {

    private final RefreshPolicy policy = new RefreshPolicy(Duration.ofMinutes(5), Duration.ofSeconds(5),
            Duration.ofSeconds(30));

    @Test
    void spreadsPeriodicRefreshesTenPercentEitherSideOfTheInterval() {
        assertThat(policy.afterSuccess(() -> 0.0)).isEqualTo(Duration.ofSeconds(270));
        assertThat(policy.afterSuccess(() -> 0.5)).isEqualTo(Duration.ofMinutes(5));
        assertThat(policy.afterSuccess(() -> 0.999_999)).isBetween(Duration.ofMillis(329_999), Duration.ofSeconds(330));
    }

    @Test
    void doublesTheRetryDelayPerFailureWithinTheUpperHalfOfEachStep() {
        assertThat(policy.afterFailure(1, () -> 0.0)).isEqualTo(Duration.ofMillis(2_500));
        assertThat(policy.afterFailure(1, () -> 0.999_999)).isBetween(Duration.ofMillis(4_999), Duration.ofSeconds(5));
        assertThat(policy.afterFailure(2, () -> 0.0)).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.afterFailure(4, () -> 0.0)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void neverWaitsLongerThanTheIntervalHoweverManyFailures() {
        assertThat(policy.afterFailure(7, () -> 0.999_999)).isLessThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(policy.afterFailure(Integer.MAX_VALUE, () -> 0.999_999)).isLessThanOrEqualTo(Duration.ofMinutes(5))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(150));
    }

    @Test
    void rejectsARetryDelayLongerThanTheInterval() {
        assertThatThrownBy(() -> new RefreshPolicy(Duration.ofSeconds(10), Duration.ofSeconds(11), Duration.ZERO))
                .hasMessageContaining("refresh-retry-delay");
    }

    @Test
    void rejectsANonPositiveInterval() {
        assertThatThrownBy(() -> new RefreshPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO))
                .hasMessageContaining("refresh-interval");
    }
}
