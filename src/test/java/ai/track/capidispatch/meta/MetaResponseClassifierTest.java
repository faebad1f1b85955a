package ai.track.capidispatch.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ai.track.capidispatch.dispatch.ErrorClass;
import ai.track.capidispatch.dispatch.GatewayResult;
import ai.track.capidispatch.dispatch.GatewayResult.Verdict;
import ai.track.capidispatch.dispatch.MetaError;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

class MetaResponseClassifierTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    private final MetaResponseClassifier classifier =
            new MetaResponseClassifier(JsonMapper.builder().build(), Clock.fixed(NOW, ZoneOffset.UTC));

    @Nested
    class Delivered {

        @Test
        void deliversWhenMetaAccountsForEveryEvent() {
            GatewayResult result = classifier.classify(200, "{\"events_received\":1,\"messages\":[],\"fbtrace_id\":\"AbC\"}",
                    1, null);

            assertThat(result).isEqualTo(GatewayResult.delivered(200, "AbC"));
        }

        @Test
        void deliversBatchWhenEventsReceivedMatchesItsSize() {
            GatewayResult result = classifier.classify(200, "{\"events_received\":3,\"messages\":[],\"fbtrace_id\":\"AbC\"}",
                    3, "30");

            assertThat(result.verdict()).isEqualTo(Verdict.DELIVERED);
            assertThat(result.retryAfter()).isNull();
        }

        @Test
        void retriesWhenMetaReceivedFewerEventsThanSent() {
            GatewayResult result = classifier.classify(200, "{\"events_received\":0,\"messages\":[],\"fbtrace_id\":\"AbC\"}",
                    1, null);

            assertRetry(result, ErrorClass.INCOMPLETE_RESPONSE);
            assertThat(result.reason()).contains("0 of 1");
            assertThat(result.fbtraceId()).isEqualTo("AbC");
        }

        @Test
        void retriesWhenSuccessBodyIsNotJson() {
            GatewayResult result = classifier.classify(200, "OK", 1, null);

            assertRetry(result, ErrorClass.INCOMPLETE_RESPONSE);
            assertThat(result.reason()).contains("HTTP 200", "non-JSON");
        }

        @Test
        void retriesWhenSuccessBodyIsEmpty() {
            assertRetry(classifier.classify(204, "", 1, null), ErrorClass.INCOMPLETE_RESPONSE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"messages\":[],\"fbtrace_id\":\"AbC\"}", "{\"events_received\":\"1\"}",
            "{\"events_received\":1.5}", "{\"events_received\":null}", "[1]", "null"})
        void retriesWhenEventsReceivedIsMissingOrUnusable(String body) {
            assertRetry(classifier.classify(200, body, 1, null), ErrorClass.INCOMPLETE_RESPONSE);
        }
    }

    @Nested
    class Held {

        @Test
        void holdsWhenTokenIsRejected() {
            GatewayResult result = classifier.classify(400, fixture("token-expired.json"), 1, null);

            assertThat(result.verdict()).isEqualTo(Verdict.HOLD);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.AUTH);
            assertThat(result.error()).isEqualTo(new MetaError(190, 463, "OAuthException",
                    "Error validating access token: Session has expired on Friday, 27-Nov-26 09:00:00 PST. "
                            + "The current time is Saturday, 28-Nov-26 10:12:31 PST.",
                    null, "A7kLm2Qp9Xz"));
            assertThat(result.reason()).startsWith("access token rejected: HTTP 400, code 190/463 OAuthException: ")
                    .contains("Session has expired");
            assertThat(result.fbtraceId()).isEqualTo("A7kLm2Qp9Xz");
        }

        @ParameterizedTest
        @ValueSource(ints = {10, 200, 273, 299})
        void holdsWhenPermissionIsMissing(int code) {
            GatewayResult result = classifier.classify(400,
                    "{\"error\":{\"message\":\"(#" + code + ") Permission denied\",\"type\":\"OAuthException\",\"code\":"
                            + code + ",\"fbtrace_id\":\"AbC\"}}",
                    1, null);

            assertHold(result, ErrorClass.PERMISSION);
        }

        @Test
        void holdsWhenAdsManagementPermissionIsMissing() {
            GatewayResult result = classifier.classify(403, fixture("permission-denied.json"), 1, null);

            assertHold(result, ErrorClass.PERMISSION);
            assertThat(result.reason()).contains("code 200", "ads_management");
        }

        @Test
        void holdsWhenApiVersionIsDeprecated() {
            GatewayResult result = classifier.classify(400, fixture("deprecated-api-version.json"), 1, null);

            assertHold(result, ErrorClass.DEPRECATED_API_VERSION);
            assertThat(result.reason()).contains("META_GRAPH_API_VERSION", "code 2635",
                    "You are calling a deprecated version of the Ads API");
        }

        @Test
        void holdsOnUnauthorizedWithoutMetaError() {
            assertHold(classifier.classify(401, "", 1, null), ErrorClass.AUTH);
        }

        @Test
        void holdsOnForbiddenWithoutMetaError() {
            assertHold(classifier.classify(403, "<html><body>Forbidden</body></html>", 1, null),
                    ErrorClass.PERMISSION);
        }

        @Test
        void holdsOnForbiddenWithAnUnclassifiedCode() {
            assertHold(classifier.classify(403, "{\"error\":{\"message\":\"Unknown\",\"code\":3}}", 1, null),
                    ErrorClass.PERMISSION);
        }

        @Test
        void holdsWhenTokenIsRejectedEvenIfMarkedTransient() {
            GatewayResult result = classifier.classify(400,
                    "{\"error\":{\"message\":\"Invalid OAuth access token.\",\"type\":\"OAuthException\",\"code\":190,"
                            + "\"is_transient\":true}}",
                    1, null);

            assertHold(result, ErrorClass.AUTH);
        }

        @Test
        void holdsWhenTokenIsRejectedInsideAServerError() {
            assertHold(classifier.classify(500, fixture("token-expired.json"), 1, null), ErrorClass.AUTH);
        }

        @Test
        void dropsRetryAfterWhenHolding() {
            assertThat(classifier.classify(400, fixture("token-expired.json"), 1, "30").retryAfter()).isNull();
        }
    }

    @Nested
    class Retried {

        @Test
        void retriesAppThrottling() {
            GatewayResult result = classifier.classify(400, fixture("app-request-limit.json"), 1, null);

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.reason()).startsWith("Meta throttling: HTTP 400, code 4 OAuthException: ");
            assertThat(result.error().isTransient()).isTrue();
        }

        @Test
        void retriesUserRequestLimit() {
            GatewayResult result = classifier.classify(400, fixture("user-request-limit.json"), 1, null);

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.reason()).contains("code 17/2446079", "User request limit reached");
        }

        @Test
        void retriesAdAccountRateLimit() {
            GatewayResult result = classifier.classify(400, fixture("ad-account-rate-limit.json"), 1, null);

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.reason()).contains("code 613/1487742", "(Too Many Calls)");
        }

        @Test
        void retriesBusinessUseCaseThrottlingEvenWithoutTransientFlag() {
            GatewayResult result = classifier.classify(400, fixture("business-use-case-limit.json"), 1, null);

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.error().isTransient()).isNull();
            assertThat(result.reason()).contains("code 80004/2446079");
        }

        @Test
        void retriesThrottlingOnForbiddenBecauseTheCodeBeatsTheStatus() {
            assertRetry(classifier.classify(403, fixture("app-request-limit.json"), 1, null), ErrorClass.TRANSIENT);
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 341, 368, 80003})
        void retriesCodesMetaDocumentsAsTemporary(int code) {
            GatewayResult result = classifier.classify(400,
                    "{\"error\":{\"message\":\"(#" + code + ") Please retry your request later.\","
                            + "\"type\":\"OAuthException\",\"code\":" + code + ",\"fbtrace_id\":\"AbC\"}}",
                    1, null);

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.reason()).contains("code " + code);
        }

        @Test
        void retriesWhenMetaMarksAnErrorTransient() {
            GatewayResult result = classifier.classify(400,
                    "{\"error\":{\"message\":\"Invalid parameter\",\"type\":\"OAuthException\",\"code\":100,"
                            + "\"error_subcode\":2804050,\"is_transient\":true,\"fbtrace_id\":\"AbC\"}}",
                    1, null);

            assertRetry(result, ErrorClass.TRANSIENT);
        }

        @Test
        void retriesThrottlingWithRetryAfter() {
            GatewayResult result = classifier.classify(429, "", 1, "30");

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.retryAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(result.reason()).isEqualTo("Meta unavailable: HTTP 429, empty body");
        }

        @Test
        void retriesServerErrorPageWithoutQuotingIt() {
            GatewayResult result = classifier.classify(500, fixture("server-error.html"), 1, null);

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.error()).isNull();
            assertThat(result.reason()).isEqualTo("Meta unavailable: HTTP 500, non-JSON body");
        }

        @Test
        void retriesWhenMetaReturnsEmpty503() {
            GatewayResult result = classifier.classify(503, null, 1, null);

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.httpStatus()).isEqualTo(503);
        }

        @Test
        void retriesRequestTimeout() {
            assertRetry(classifier.classify(408, "", 1, null), ErrorClass.TRANSIENT);
        }

        @ParameterizedTest
        @ValueSource(ints = {100, 302, 304, 0, 600})
        void retriesUnexpectedStatus(int status) {
            assertRetry(classifier.classify(status, "", 1, null), ErrorClass.TRANSIENT);
        }
    }

    @Nested
    class DeadLettered {

        @Test
        void deadLettersInvalidParameter() {
            GatewayResult result = classifier.classify(400, fixture("invalid-parameter-not-hashed.json"), 1, "30");

            assertThat(result.verdict()).isEqualTo(Verdict.DEAD_LETTER);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.META_REJECTED);
            assertThat(result.error()).isEqualTo(
                    new MetaError(100, 2804016, "OAuthException", "Invalid parameter", false, "AbC123xyz"));
            assertThat(result.reason()).isEqualTo("Meta rejected the event: HTTP 400, code 100/2804016 "
                    + "OAuthException: Invalid parameter (User Parameter Not Hashed)");
            assertThat(result.fbtraceId()).isEqualTo("AbC123xyz");
            assertThat(result.retryAfter()).isNull();
        }

        @Test
        void deadLettersOtherClientErrors() {
            GatewayResult result = classifier.classify(400,
                    "{\"error\":{\"message\":\"(#803) Some of the aliases you requested do not exist: 123\","
                            + "\"type\":\"OAuthException\",\"code\":803,\"fbtrace_id\":\"AbC\"}}",
                    1, null);

            assertThat(result.verdict()).isEqualTo(Verdict.DEAD_LETTER);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.META_REJECTED);
            assertThat(result.reason()).startsWith("Meta rejected the request: HTTP 400, code 803");
        }

        @ParameterizedTest
        @ValueSource(ints = {400, 404, 413, 422})
        void deadLettersClientErrorsWithoutMetaError(int status) {
            GatewayResult result = classifier.classify(status, "", 1, null);

            assertThat(result.verdict()).isEqualTo(Verdict.DEAD_LETTER);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.META_REJECTED);
        }
    }

    @Nested
    class RetryAfter {

        @Test
        void readsHttpDate() {
            GatewayResult result = classifier.classify(503, "", 1, "Sat, 28 Nov 2026 10:02:00 GMT");

            assertThat(result.retryAfter()).isEqualTo(Duration.ofMinutes(2));
        }

        @Test
        void treatsPastDateAsNoWait() {
            assertThat(classifier.classify(503, "", 1, "Sat, 28 Nov 2026 09:00:00 GMT").retryAfter())
                    .isEqualTo(Duration.ZERO);
        }

        @ParameterizedTest
        @ValueSource(strings = {"86400", "99999999999999999999999", "Sun, 29 Nov 2026 10:00:00 GMT"})
        void capsLongWaitsAtOneHour(String header) {
            assertThat(classifier.classify(503, "", 1, header).retryAfter()).isEqualTo(Duration.ofHours(1));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "-5", "1.5", "soon", "30s", "2026-11-28T10:02:00Z"})
        void ignoresGarbage(String header) {
            assertThat(classifier.classify(503, "", 1, header).retryAfter()).isNull();
        }

        @Test
        void toleratesSurroundingWhitespace() {
            assertThat(classifier.classify(429, "", 1, " 5 ").retryAfter()).isEqualTo(Duration.ofSeconds(5));
        }
    }

    @Nested
    class Bodies {

        @ParameterizedTest
        @ValueSource(strings = {"{", "{\"error\":", "[]", "\"text\"", "42", "{\"error\":\"oops\"}", "{\"error\":null}",
            "{\"error\":[]}", "{\"error\":{}}", "{\"error\":{\"code\":\"abc\",\"message\":42,\"is_transient\":\"yes\"}}",
            "{\"error\":{\"code\":1e400}}", "\u0000\uFFFF"})
        void neverThrowsOnOddBodies(String body) {
            assertThatCode(() -> classifier.classify(400, body, 1, null)).doesNotThrowAnyException();
            assertThat(classifier.classify(400, body, 1, null).verdict()).isEqualTo(Verdict.DEAD_LETTER);
        }

        @Test
        void toleratesErrorWithoutFields() {
            GatewayResult result = classifier.classify(400, "{\"error\":{}}", 1, null);

            assertThat(result.error()).isEqualTo(new MetaError(null, null, null, null, null, null));
            assertThat(result.reason()).isEqualTo("Meta rejected the request: HTTP 400");
        }

        @Test
        void readsCodeSentAsString() {
            assertHold(classifier.classify(400, "{\"error\":{\"code\":\"190\"}}", 1, null), ErrorClass.AUTH);
        }

        @Test
        void keepsReasonShortAndOnOneLine() {
            String longMessage = "Invalid parameter\n\tline two " + "x".repeat(1000);
            GatewayResult result = classifier.classify(400,
                    "{\"error\":{\"message\":\"" + longMessage.replace("\n", "\\n").replace("\t", "\\t")
                            + "\",\"code\":100}}",
                    1, null);

            assertThat(result.reason()).hasSize(256).doesNotContain("\n", "\t").endsWith("…")
                    .startsWith("Meta rejected the event: HTTP 400, code 100: Invalid parameter line two x");
            assertThat(result.error().message()).hasSize(256);
        }

        @Test
        void leavesOutUserMessageBecauseItMayQuoteWhatWasSent() {
            GatewayResult result = classifier.classify(400, fixture("invalid-parameter-not-hashed.json"), 1, null);

            assertThat(result.reason()).doesNotContain("Learn how to hash");
        }

        @Test
        void takesFbtraceIdFromErrorBeforeTopLevel() {
            GatewayResult result = classifier.classify(400,
                    "{\"error\":{\"code\":100,\"fbtrace_id\":\"inner\"},\"fbtrace_id\":\"outer\"}", 1, null);

            assertThat(result.fbtraceId()).isEqualTo("inner");
        }
    }

    @Nested
    class TransportFailures {

        @Test
        void retriesAfterTimeout() {
            GatewayResult result = classifier.transportFailure(new SocketTimeoutException("Read timed out"));

            assertThat(result).isEqualTo(new GatewayResult(Verdict.RETRY, ErrorClass.TRANSIENT,
                    "timeout: SocketTimeoutException: Read timed out", 0, null, null, null));
        }

        @Test
        void retriesAfterCallTimeout() {
            GatewayResult result = classifier.transportFailure(new InterruptedIOException("timeout"));

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.reason()).isEqualTo("timeout: InterruptedIOException");
        }

        @Test
        void retriesAfterConnectionRefused() {
            GatewayResult result = classifier.transportFailure(
                    new ConnectException("Failed to connect to graph.facebook.com/157.240.1.35:443"));

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.reason())
                    .isEqualTo("connection failed: ConnectException: Failed to connect to graph.facebook.com/157.240.1.35:443");
            assertThat(result.httpStatus()).isZero();
        }

        @Test
        void retriesAfterOtherIoFailureWithoutEchoingItsMessage() {
            GatewayResult result = classifier.transportFailure(new IOException(
                    "unexpected end of stream on https://graph.facebook.com/v26.0/123/events?access_token=EAABsecret"));

            assertRetry(result, ErrorClass.TRANSIENT);
            assertThat(result.reason()).isEqualTo("I/O error: IOException").doesNotContain("EAAB");
        }
    }

    private static void assertRetry(GatewayResult result, ErrorClass errorClass) {
        assertThat(result.verdict()).isEqualTo(Verdict.RETRY);
        assertThat(result.errorClass()).isEqualTo(errorClass);
        assertThat(result.reason()).isNotBlank().hasSizeLessThanOrEqualTo(256);
    }

    private static void assertHold(GatewayResult result, ErrorClass errorClass) {
        assertThat(result.verdict()).isEqualTo(Verdict.HOLD);
        assertThat(result.errorClass()).isEqualTo(errorClass);
        assertThat(result.retryAfter()).isNull();
    }

    private static String fixture(String name) {
        try (InputStream in = MetaResponseClassifierTest.class.getResourceAsStream("/meta/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
