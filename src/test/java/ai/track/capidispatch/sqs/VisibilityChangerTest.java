package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class VisibilityChangerTest {

    @Test
    void roundsAFractionalDelayUpSoTheMessageNeverReturnsEarly() {
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofMillis(1_900))).isEqualTo(2);
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofMillis(5_001))).isEqualTo(6);
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofNanos(1))).isEqualTo(1);
    }

    @Test
    void keepsASubSecondDelayAboveZeroWhichWouldBeAnImmediateRedelivery() {
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofMillis(300))).isEqualTo(1);
    }

    @Test
    void keepsWholeSecondsAsTheyAre() {
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofSeconds(5))).isEqualTo(5);
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofMinutes(15))).isEqualTo(900);
    }

    @Test
    void makesANonPositiveDelayVisibleAtOnce() {
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ZERO)).isZero();
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofMillis(-1_500))).isZero();
    }

    @Test
    void capsAtTheTwelveHoursSqsAllows() {
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofHours(12).minusMillis(1))).isEqualTo(43_200);
        assertThat(VisibilityChanger.visibilityTimeoutSeconds(Duration.ofDays(3))).isEqualTo(43_200);
    }
}
