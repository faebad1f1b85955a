package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import io.awspring.cloud.sqs.listener.QueueNotFoundStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.retry.backoff.BackOffContext;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;

class SqsListenerConfigurationTest {

    @Test
    void backsOffPollingFromTheInitialWaitDoublingUpToTheCap() {
        ExponentialBackOffPolicy policy = SqsListenerConfiguration.pollBackOff(
                properties(Duration.ofSeconds(1), Duration.ofSeconds(10)));
        List<Long> sleeps = new ArrayList<>();
        policy.setSleeper(sleeps::add);

        BackOffContext outage = policy.start(null);
        for (int failedPoll = 0; failedPoll < 7; failedPoll++) {
            policy.backOff(outage);
        }

        assertThat(sleeps).containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L, 10_000L);
    }

    private static SqsWorkerProperties properties(Duration pollBackOffInitial, Duration pollBackOffMax) {
        return new SqsWorkerProperties("http://127.0.0.1:1/000000000000/q", "http://127.0.0.1:1/000000000000/dlq",
                QueueNotFoundStrategy.FAIL, 2000, 10, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(15), Duration.ofMinutes(15), pollBackOffInitial, pollBackOffMax, Duration.ofMillis(50),
                Duration.ofMillis(10));
    }
}
