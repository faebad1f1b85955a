package ai.track.capidispatch.credentials;

import ai.track.capidispatch.support.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The provider without Spring: a fake Secrets Manager client answers from a script, a mutable clock stands in
 * for time, and the background refresh runs when the test says so.
 */
class SecretsManagerCredentialsProviderTest {

    private static final String PIXEL = "123456789012345";
    private static final String OLD_TOKEN = "EAAB-old-token-never-logged";
    private static final String NEW_TOKEN = "EAAB-new-token-never-logged";
    private static final String APP_SECRET = "app-secret-never-logged";
    private static final RefreshPolicy POLICY = new RefreshPolicy(Duration.ofMinutes(5), Duration.ofSeconds(5),
            Duration.ofSeconds(30));

    private final FakeSecretsManager secretsManager = new FakeSecretsManager();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T12:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger providerLogger = (Logger) LoggerFactory.getLogger(SecretsManagerCredentialsProvider.class);
    private SecretsManagerCredentialsProvider provider;

    @BeforeEach
    void setUp() {
        logs.start();
        providerLogger.addAppender(logs);
        providerLogger.setLevel(Level.DEBUG);
        // Always the middle of every jitter range, so delays are exact.
        provider = new SecretsManagerCredentialsProvider(secretsManager, new MetaSecretParser(JsonMapper.builder()
                .build()), "meta-capi-credentials", POLICY, clock, scheduler, () -> 0.5);
    }

    @AfterEach
    void tearDown() {
        providerLogger.detachAppender(logs);
        providerLogger.setLevel(null);
        assertThat(everythingLogged()).as("no token or app secret in any log line")
                .doesNotContain(OLD_TOKEN, NEW_TOKEN, APP_SECRET);
    }

    @Nested
    class AtStartup {

        @Test
        void readsTheSecretOnceAndSchedulesTheFirstRefreshAtTheInterval() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");

            provider.start();

            assertThat(secretsManager.calls).isEqualTo(1);
            assertThat(provider.current().forPixel(PIXEL).orElseThrow().accessToken()).isEqualTo(OLD_TOKEN);
            assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofMinutes(5));
            assertThat(refreshedRecords()).hasSize(1);
            assertThat(refreshedRecords().get(0).getKeyValuePairs().toString()).contains("version_id").contains("v1")
                    .contains("pixels").contains("STARTUP");
        }

        @Test
        void failsNamingTheVariableAndTheReasonWhenTheSecretDoesNotExist() {
            secretsManager.fail(() -> ResourceNotFoundException.builder().statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ResourceNotFoundException")
                            .errorMessage("Secrets Manager can't find the specified secret.").build())
                    .build());

            assertThatThrownBy(provider::start).isInstanceOf(CredentialsUnavailableException.class)
                    .hasMessageContaining("'meta-capi-credentials' (META_CAPI_SECRET_NAME)")
                    .hasMessageContaining("ResourceNotFoundException (HTTP 400): Secrets Manager can't find");
            assertThat(scheduler.pending).as("nothing to refresh: start-up has failed").isEmpty();
            assertThat(provider.unavailable()).isTrue();
        }

        @Test
        void failsNamingTheMissingFieldButNotTheValueWhenTheSecretIsMalformed() {
            secretsManager.answer("{\"pixel_id\": \"" + PIXEL + "\", \"app_secret\": \"" + APP_SECRET + "\"}", "v1");

            assertThatThrownBy(provider::start).isInstanceOf(CredentialsUnavailableException.class)
                    .hasMessageContaining("META_CAPI_SECRET_NAME").hasMessageContaining("has no access_token")
                    .satisfies(e -> assertThat(stackTraceOf(e)).doesNotContain(APP_SECRET));
        }

        @Test
        void failsWithoutQuotingTheSecretWhenItIsNotJson() {
            secretsManager.answer("access_token=" + OLD_TOKEN, "v1");

            assertThatThrownBy(provider::start).hasMessageContaining("not valid JSON")
                    .satisfies(e -> assertThat(stackTraceOf(e)).doesNotContain(OLD_TOKEN));
        }

        @Test
        void doesNotQuoteAClientSideErrorThatMightCarryTheResponse() {
            // An SDK unmarshalling failure may quote the response body, which holds the secret value.
            secretsManager.fail(() -> SdkClientException.create("Unable to unmarshall response: {\"SecretString\":"
                    + "\"{\\\"access_token\\\":\\\"" + OLD_TOKEN + "\\\"", new IllegalStateException(OLD_TOKEN)));

            assertThatThrownBy(provider::start).isInstanceOf(CredentialsUnavailableException.class)
                    .hasMessageContaining("SdkClientException")
                    .satisfies(e -> assertThat(stackTraceOf(e)).doesNotContain(OLD_TOKEN));
        }

        @Test
        void namesTheTransportFailureWhenSecretsManagerIsUnreachable() {
            secretsManager.fail(() -> SdkClientException.create("Unable to execute HTTP request",
                    new ConnectException("Connection refused")));

            assertThatThrownBy(provider::start).hasMessageContaining("ConnectException: Connection refused");
        }
    }

    @Nested
    class OnTheHotPath {

        @Test
        void neverCallsSecretsManagerOnceASnapshotExistsHoweverOldItIs() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();

            clock.advance(Duration.ofHours(3)); // the background refresh has not run: nothing waits on AWS anyway
            for (int i = 0; i < 1_000; i++) {
                provider.current();
            }

            assertThat(secretsManager.calls).isEqualTo(1);
        }
    }

    @Nested
    class InTheBackground {

        @Test
        void picksUpARotatedSecretWithoutARestart() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();
            secretsManager.answer(secret(NEW_TOKEN), "v2");

            scheduler.runNext();

            assertThat(provider.current().forPixel(PIXEL).orElseThrow().accessToken()).isEqualTo(NEW_TOKEN);
            assertThat(provider.loadedAt()).contains(clock.instant());
            assertThat(refreshedRecords()).hasSize(2);
            assertThat(refreshedRecords().get(1).getKeyValuePairs().toString()).contains("v2").contains("v1")
                    .contains("SCHEDULED");
            assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofMinutes(5));
        }

        @Test
        void logsNothingAtInfoWhenTheSecretIsUnchanged() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();
            secretsManager.answer(secret(OLD_TOKEN), "v1");

            scheduler.runNext();

            assertThat(refreshedRecords()).hasSize(1);
            assertThat(logs.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).hasSize(1);
        }

        @Test
        void servesTheLastGoodValueWhileRefreshesFail() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();
            secretsManager.fail(SecretsManagerCredentialsProviderTest::throttled);

            scheduler.runNext();
            scheduler.runNext();

            assertThat(provider.current().forPixel(PIXEL).orElseThrow().accessToken()).isEqualTo(OLD_TOKEN);
            assertThat(provider.unavailable()).as("an old value still serves").isFalse();
            assertThat(provider.consecutiveRefreshFailures()).isEqualTo(2);
            assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN)
                    .anySatisfy(e -> assertThat(e.getKeyValuePairs().toString()).contains("CredentialsRefreshFailed")
                            .contains("ThrottlingException"));
        }

        @Test
        void backsOffExponentiallyWithJitterUpToTheIntervalThenReturnsToTheInterval() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();
            secretsManager.fail(SecretsManagerCredentialsProviderTest::throttled);

            List<Duration> delays = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                scheduler.runNext();
                delays.add(scheduler.nextDelay());
            }
            secretsManager.answer(secret(NEW_TOKEN), "v2");
            scheduler.runNext();

            // 5 s, 10 s, 20 s ... capped at 5 min, each at 3/4 of its step (random 0.5 in the upper half).
            assertThat(delays).containsExactly(Duration.ofMillis(3_750), Duration.ofMillis(7_500),
                    Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120),
                    Duration.ofSeconds(225), Duration.ofSeconds(225));
            assertThat(scheduler.nextDelay()).as("healthy again: the normal interval").isEqualTo(Duration.ofMinutes(5));
            assertThat(provider.consecutiveRefreshFailures()).isZero();
            assertThat(secretsManager.calls).isEqualTo(10);
        }

        @Test
        void keepsRefreshingAfterAnUnexpectedException() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();
            secretsManager.fail(() -> new IllegalStateException("a bug"));

            scheduler.runNext();

            assertThat(scheduler.pending).as("the cycle goes on").hasSize(1);
            assertThat(provider.current().forPixel(PIXEL).orElseThrow().accessToken()).isEqualTo(OLD_TOKEN);
        }

        @Test
        void stopsWhenClosed() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();

            provider.close();
            scheduler.runNext();

            assertThat(secretsManager.calls).isEqualTo(1);
            assertThat(scheduler.pending).isEmpty();
            assertThat(scheduler.closed).isTrue();
        }
    }

    @Nested
    class WhenMetaRejectsTheToken {

        @Test
        void reReadsAtOnceAndReturnsTheRotatedToken() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();
            secretsManager.answer(secret(NEW_TOKEN), "v2");

            MetaSecret refreshed = provider.refreshNow();

            assertThat(refreshed.forPixel(PIXEL).orElseThrow().accessToken()).isEqualTo(NEW_TOKEN);
            assertThat(provider.current()).isSameAs(refreshed);
            assertThat(secretsManager.calls).isEqualTo(2);
        }

        @Test
        void reReadsAtMostOncePerMinimumIntervalHoweverManyRejectionsArrive() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();

            for (int i = 0; i < 50; i++) {
                provider.refreshNow();
            }
            clock.advance(Duration.ofSeconds(29));
            provider.refreshNow();
            assertThat(secretsManager.calls).as("start-up plus one forced read").isEqualTo(2);

            clock.advance(Duration.ofSeconds(1));
            provider.refreshNow();
            assertThat(secretsManager.calls).isEqualTo(3);
        }

        @Test
        void reReadsEvenRightAfterAScheduledRead() {
            // The scheduled read may have come moments before the rotation that made Meta reject the token.
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();
            scheduler.runNext();
            secretsManager.answer(secret(NEW_TOKEN), "v2");

            assertThat(provider.refreshNow().forPixel(PIXEL).orElseThrow().accessToken()).isEqualTo(NEW_TOKEN);
        }

        @Test
        void servesTheLastGoodValueWhenTheReReadFails() {
            secretsManager.answer(secret(OLD_TOKEN), "v1");
            provider.start();
            secretsManager.fail(SecretsManagerCredentialsProviderTest::throttled);

            assertThat(provider.refreshNow().forPixel(PIXEL).orElseThrow().accessToken()).isEqualTo(OLD_TOKEN);
            assertThat(provider.consecutiveRefreshFailures()).isEqualTo(1);
        }
    }

    @Nested
    class WithoutStart {

        @Test
        void readsOnFirstUseAndThrowsWhenThatFails() {
            secretsManager.fail(SecretsManagerCredentialsProviderTest::throttled);

            assertThatThrownBy(provider::current).isInstanceOf(CredentialsUnavailableException.class)
                    .hasMessageContaining("ThrottlingException");
            assertThat(provider.unavailable()).isTrue();
        }
    }

    private static String secret(String token) {
        return "{\"access_token\": \"" + token + "\", \"pixel_id\": \"" + PIXEL + "\", \"app_secret\": \"" + APP_SECRET
                + "\", \"pixels\": {\"222222222222222\": {\"access_token\": \"" + token + "-2\"}}}";
    }

    private static SecretsManagerException throttled() {
        return (SecretsManagerException) SecretsManagerException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException")
                        .errorMessage("Rate exceeded").build())
                .build();
    }

    private List<ILoggingEvent> refreshedRecords() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.INFO
                && String.valueOf(e.getKeyValuePairs()).contains("CredentialsRefreshed")).toList();
    }

    private String everythingLogged() {
        StringBuilder all = new StringBuilder();
        for (ILoggingEvent event : logs.list) {
            all.append(event.getFormattedMessage()).append(' ').append(event.getKeyValuePairs()).append('\n');
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                all.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
            }
        }
        return all.toString();
    }

    private static String stackTraceOf(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    /** Implements only what the provider calls; every other operation keeps the interface's default. */
    private static final class FakeSecretsManager implements SecretsManagerClient {
        private Supplier<GetSecretValueResponse> next;
        int calls;

        void answer(String secretString, String versionId) {
            next = () -> GetSecretValueResponse.builder().name("meta-capi-credentials").versionId(versionId)
                    .secretString(secretString).build();
        }

        void fail(Supplier<? extends RuntimeException> failure) {
            next = () -> {
                throw failure.get();
            };
        }

        @Override
        public GetSecretValueResponse getSecretValue(GetSecretValueRequest request) {
            calls++;
            assertThat(request.secretId()).isEqualTo("meta-capi-credentials");
            assertThat(request.versionStage()).as("only AWSCURRENT, the default").isNull();
            return next.get();
        }

        @Override
        public String serviceName() {
            return "secretsmanager";
        }

        @Override
        public void close() {
        }
    }

    private final class ManualScheduler implements RefreshScheduler {
        private record Task(Runnable task, Duration delay) {
        }

        final Deque<Task> pending = new ArrayDeque<>();
        boolean closed;

        @Override
        public void schedule(Runnable task, Duration delay) {
            if (!closed) {
                pending.add(new Task(task, delay));
            }
        }

        Duration nextDelay() {
            assertThat(pending).hasSize(1);
            return pending.peek().delay();
        }

        /** Moves time to the next task and runs it, as the executor would. */
        void runNext() {
            Task task = pending.poll();
            if (task != null) {
                clock.advance(task.delay());
                task.task().run();
            }
        }

        @Override
        public void close() {
            closed = true;
            pending.clear();
        }
    }
}
