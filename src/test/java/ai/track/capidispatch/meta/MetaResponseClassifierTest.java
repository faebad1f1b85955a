package ai.track.capidispatch.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ai.track.capidispatch.dispatch.ErrorClass;
import ai.track.capidispatch.dispatch.GatewayResult;
import ai.track.capidispatch.dispatch.GatewayResult.Verdict;
import ai.track.capidispatch.dispatch.MetaError;
import ai.track.capidispatch.support.MetaFixtures;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
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
        void holdsWhenSuccessBodyIsNotJson() {
            GatewayResult result = classifier.classify(200, "OK", 1, null);

            assertThat(result.verdict()).isEqualTo(Verdict.HOLD);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).contains("HTTP 200 without a Meta error body", "not Meta's API answering");
        }

        @Test
        void holdsACaptivePortalsLoginPage() {
            GatewayResult result = classifier.classify(200,
                    "<html><head><title>Hotel Wi-Fi</title></head><body>Please sign in</body></html>", 1, null,
                    new MetaResponseClassifier.Origin("portal.example.net", "nginx"));

            assertThat(result.verdict()).isEqualTo(Verdict.HOLD);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).contains("HTTP 200", "(HTML page)", "from portal.example.net")
                    .doesNotContain("sign in");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "[1]", "null", "{}", "{\"status\":\"ok\"}"})
        void holdsASuccessWithNothingOfMetasInIt(String body) {
            GatewayResult result = classifier.classify(body.isEmpty() ? 204 : 200, body, 1, null);

            assertThat(result.verdict()).isEqualTo(Verdict.HOLD);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.NON_META_RESPONSE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"messages\":[],\"fbtrace_id\":\"AbC\"}", "{\"events_received\":\"1\"}",
            "{\"events_received\":1.5}", "{\"events_received\":null}"})
        void retriesWhenMetasEventsReceivedIsMissingOrUnusable(String body) {
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
        void holdsWhenThePixelDoesNotExistOrTheTokenCannotSeeIt() {
            // A wrong pixel id in the secret: every event of the pixel fails alike, none is at fault.
            GatewayResult result = classifier.classify(400, "{\"error\":{\"message\":\"Unsupported post request. "
                    + "Object with ID '123456789012345' does not exist, cannot be loaded due to missing permissions, "
                    + "or does not support this operation.\",\"type\":\"GraphMethodException\",\"code\":100,"
                    + "\"error_subcode\":33,\"fbtrace_id\":\"AxYz\"}}", 1000, null);

            assertHold(result, ErrorClass.PERMISSION);
            assertThat(result.reason()).contains("pixel not found");
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
        void holdsOnUnauthorizedWithMetaErrorOfUnclassifiedCode() {
            assertHold(classifier.classify(401, "{\"error\":{\"message\":\"Unknown\",\"code\":3}}", 1, null),
                    ErrorClass.AUTH);
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
        @ValueSource(ints = {100, 0, 600})
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

        @Test
        void deadLettersOtherClientErrorsWithMetaErrorOnAnyStatus() {
            GatewayResult result = classifier.classify(404,
                    "{\"error\":{\"message\":\"Unsupported post request.\",\"type\":\"GraphMethodException\","
                            + "\"code\":803,\"fbtrace_id\":\"AbC\"}}",
                    1, null);

            assertThat(result.verdict()).isEqualTo(Verdict.DEAD_LETTER);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.META_REJECTED);
        }
    }

    /**
     * A 4xx without Meta's error object is not Meta judging the events: a wrong META_GRAPH_URL, a proxy, a load
     * balancer or an API gateway answered. Held, never dead-lettered, and the reason says who answered.
     */
    @Nested
    class NotFromMeta {

        @ParameterizedTest
        @ValueSource(ints = {301, 302, 304, 307, 308})
        void holdsARedirectBecauseAWrongGraphUrlAnswersEveryMessageAlike(int status) {
            GatewayResult result = classifier.classify(status, "<html>Moved</html>", 1000, null);

            assertHold(result, ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).contains("HTTP " + status).contains("redirect").contains("META_GRAPH_URL");
        }

        private final MetaResponseClassifier.Origin proxy =
                new MetaResponseClassifier.Origin("graph.example.internal", "nginx/1.25.3");

        @Test
        void holdsHtml404FromAWrongGraphUrl() {
            GatewayResult result = classifier.classify(404, fixture("nginx-404.html"), 1000, null, proxy);

            assertHold(result, ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).isEqualTo("HTTP 404 without a Meta error body (HTML page) from "
                    + "graph.example.internal, Server: nginx/1.25.3 — not Meta's API answering: check META_GRAPH_URL"
                    + " and any proxy in between");
            assertThat(result.httpStatus()).isEqualTo(404);
            assertThat(result.error()).isNull();
        }

        @Test
        void holdsPlainText404() {
            GatewayResult result = classifier.classify(404, "404 page not found\n", 1, null,
                    new MetaResponseClassifier.Origin("127.0.0.1:8080", null));

            assertHold(result, ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).startsWith("HTTP 404 without a Meta error body (plain-text body) from "
                    + "127.0.0.1:8080 — ").contains("META_GRAPH_URL").doesNotContain("page not found");
        }

        @Test
        void holdsEmptyBody403AsAProxyRefusingNotAsAMissingPermission() {
            GatewayResult result = classifier.classify(403, "", 1, null, proxy);

            assertHold(result, ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).startsWith("HTTP 403 without a Meta error body (empty body) from ")
                    .contains("refused by a proxy, gateway or firewall, not by Meta");
        }

        @Test
        void holdsEmptyBody401WithoutRereadingTheSecretForIt() {
            // AUTH would make the gateway re-read the secret and resend: pointless when a proxy refused.
            assertHold(classifier.classify(401, null, 1, null), ErrorClass.NON_META_RESPONSE);
        }

        @Test
        void holdsHtml403() {
            assertHold(classifier.classify(403, "<html><body>Forbidden</body></html>", 1, null),
                    ErrorClass.NON_META_RESPONSE);
        }

        @Test
        void holdsApiGatewayMissingAuthenticationToken() {
            // What Amazon API Gateway answers for a path it has no route for.
            GatewayResult result = classifier.classify(403, "{\"message\":\"Missing Authentication Token\"}", 1,
                    null, proxy);

            assertHold(result, ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).contains("(JSON without Meta's error object)")
                    .doesNotContain("Missing Authentication Token");
        }

        @Test
        void holds405() {
            GatewayResult result = classifier.classify(405, fixture("nginx-405.html"), 1, null, proxy);

            assertHold(result, ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).startsWith("HTTP 405 without a Meta error body (HTML page)");
        }

        @Test
        void holds414() {
            assertHold(classifier.classify(414, fixture("nginx-414.html"), 1, null, proxy),
                    ErrorClass.NON_META_RESPONSE);
        }

        @Test
        void holds413AsRequestTooLargeSoTheBatchCanBeSplit() {
            GatewayResult result = classifier.classify(413, fixture("nginx-413.html"), 1000, null, proxy);

            assertHold(result, ErrorClass.REQUEST_TOO_LARGE);
            assertThat(result.reason()).isEqualTo("HTTP 413 without a Meta error body (HTML page) from "
                    + "graph.example.internal, Server: nginx/1.25.3 — request too large for a proxy or gateway on the"
                    + " way to Meta: lower capi.dispatch.batch-max-bytes or raise its limit");
        }

        @Test
        void holds413WithEmptyBody() {
            assertHold(classifier.classify(413, "", 1, null), ErrorClass.REQUEST_TOO_LARGE);
        }

        @ParameterizedTest
        @ValueSource(ints = {400, 404, 409, 410, 415, 422, 451, 499})
        void holdsAnyOtherClientErrorWithoutMetaError(int status) {
            assertHold(classifier.classify(status, "", 1, null), ErrorClass.NON_META_RESPONSE);
        }

        @Test
        void holdsSpringBootErrorJson() {
            // {"error":"Not Found"}: an "error" that is a string is not Meta's error object.
            assertHold(classifier.classify(404, fixture("spring-boot-404.json"), 1, null),
                    ErrorClass.NON_META_RESPONSE);
        }

        @Test
        void holdsAnErrorObjectThatOnlyRepeatsTheStatusAsItsCode() {
            GatewayResult result = classifier.classify(404, fixture("google-style-404.json"), 1, null);

            assertHold(result, ErrorClass.NON_META_RESPONSE);
            assertThat(result.error()).isNull();
            assertThat(result.reason()).doesNotContain("Requested entity");
        }

        @Test
        void holdsAnEmptyErrorObject() {
            assertHold(classifier.classify(400, "{\"error\":{}}", 1, null), ErrorClass.NON_META_RESPONSE);
        }

        @Test
        void stillRetriesThrottlingWithoutMetaError() {
            assertRetry(classifier.classify(429, "<html>Too Many Requests</html>", 1, null), ErrorClass.TRANSIENT);
        }

        @Test
        void stillRetriesRequestTimeoutWithoutMetaError() {
            // A hop timed out waiting for the request: a blip like a read timeout, not a configuration fault.
            assertRetry(classifier.classify(408, "<html>Request Timeout</html>", 1, null), ErrorClass.TRANSIENT);
        }

        @Test
        void stillRetriesServerErrorsWithoutMetaError() {
            assertRetry(classifier.classify(502, "<html>Bad Gateway</html>", 1, null, proxy), ErrorClass.TRANSIENT);
        }

        @Test
        void metaInvalidParameterOn400StaysAnEventLevelRejection() {
            GatewayResult result = classifier.classify(400, fixture("invalid-parameter-not-hashed.json"), 1000, null,
                    proxy);

            assertThat(result.verdict()).isEqualTo(Verdict.DEAD_LETTER);
            assertThat(result.errorClass()).isEqualTo(ErrorClass.META_REJECTED);
            assertThat(result.error().code()).isEqualTo(100);
            assertThat(result.reason()).startsWith("Meta rejected the event: HTTP 400, code 100/2804016");
        }

        @Test
        void metaInvalidParameterOn413StaysAnEventLevelRejection() {
            assertThat(classifier.classify(413, fixture("invalid-parameter-not-hashed.json"), 1, null).errorClass())
                    .isEqualTo(ErrorClass.META_REJECTED);
        }

        @Test
        void metaPermissionErrorOn403StaysAPermissionHold() {
            assertHold(classifier.classify(403, fixture("permission-denied.json"), 1, null, proxy),
                    ErrorClass.PERMISSION);
        }

        @Test
        void acceptsAMetaCodeSentWithoutTypeOrTrace() {
            assertThat(classifier.classify(400, "{\"error\":{\"code\":100}}", 1, null).errorClass())
                    .isEqualTo(ErrorClass.META_REJECTED);
        }

        @Test
        void neverQuotesTheBody() {
            String echo = "<html><body>Bad request: {\"access_token\":\"EAAB-secret\",\"data\":[{\"user_data\":"
                    + "{\"em\":[\"joe@example.com\"]}}]}</body></html>";

            GatewayResult result = classifier.classify(400, echo, 1, null, proxy);

            assertHold(result, ErrorClass.NON_META_RESPONSE);
            assertThat(result.reason()).doesNotContain("EAAB", "joe@", "access_token", "<html");
        }

        @Test
        void keepsAHostileServerHeaderShortAndOnOneLine() {
            String server = "evil\r\nX-Injected: 1 " + "x".repeat(300);

            GatewayResult result = classifier.classify(404, "", 1, null,
                    new MetaResponseClassifier.Origin("graph.example.internal", server));

            assertThat(result.reason()).doesNotContain("\r", "\n").contains("Server: evil X-Injected: 1 x")
                    .hasSizeLessThanOrEqualTo(MetaResponseClassifier.MAX_TEXT_LENGTH);
        }

        @Test
        void leavesOutTheOriginWhenUnknown() {
            assertThat(classifier.classify(404, "", 1, null).reason())
                    .startsWith("HTTP 404 without a Meta error body (empty body) — ");
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
            // None of them is Meta's error object with a code: whatever answered, it did not judge the events.
            assertHold(classifier.classify(400, body, 1, null), ErrorClass.NON_META_RESPONSE);
        }

        @Test
        void toleratesErrorWithoutFields() {
            GatewayResult result = classifier.classify(500, "{\"error\":{}}", 1, null);

            assertThat(result.error()).isEqualTo(new MetaError(null, null, null, null, null, null));
            assertThat(result.reason()).isEqualTo("Meta unavailable: HTTP 500");
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
        return MetaFixtures.read(name);
    }
}
