package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.listener.QueueNotFoundStrategy;
import java.time.Duration;

/** The worker's SQS settings as application.yml gives them, for tests that build one of its SQS classes. */
final class TestSqsProperties {

    private TestSqsProperties() {
    }

    static SqsWorkerProperties of(String queueUrl, String dlqUrl, Duration deleteLinger) {
        return of(queueUrl, dlqUrl, deleteLinger, SqsWorkerProperties.HttpClient.CRT);
    }

    static SqsWorkerProperties of(String queueUrl, String dlqUrl, Duration deleteLinger,
            SqsWorkerProperties.HttpClient httpClient) {
        return new SqsWorkerProperties(queueUrl, dlqUrl, QueueNotFoundStrategy.FAIL, 2000, null, 10, Duration.ofSeconds(10),
                Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMinutes(15), Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofMillis(50), deleteLinger, httpClient);
    }
}
