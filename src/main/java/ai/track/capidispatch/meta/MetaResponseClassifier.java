package ai.track.capidispatch.meta;

import ai.track.capidispatch.dispatch.ErrorClass;
import ai.track.capidispatch.dispatch.GatewayResult;
import ai.track.capidispatch.dispatch.GatewayResult.Verdict;
import ai.track.capidispatch.dispatch.MetaError;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * Decides what one Conversions API request's outcome means for its messages (contract §4). This is the only
 * place that reads Meta's status codes and error codes; everything downstream acts on the {@link Verdict}.
 *
 * <p>The rules are applied in this order, and the order is part of the contract:
 * <ol>
 *   <li><b>Hold codes</b> (190, 10, 200–299, 2635): credentials, permissions or configuration are wrong. They
 *       come first because every other event would fail the same way, whatever Meta's {@code is_transient}
 *       or HTTP status says.</li>
 *   <li><b>Transient codes</b> (1, 2, 4, 17, 341, 368, 613, 80003, 80004) and {@code is_transient: true}:
 *       Meta says "wait and retry". Throttling arrives with 400 or 403, so the code must beat the status.</li>
 *   <li><b>Code 100</b>: the event is invalid, whatever the status.</li>
 *   <li><b>Status</b>: 2xx is delivered only if {@code events_received} accounts for every event; 408, 429
 *       and 5xx retry; a 4xx without Meta's error object holds ({@link ErrorClass#NON_META_RESPONSE}, or
 *       {@link ErrorClass#REQUEST_TOO_LARGE} for 413); 401/403 with Meta's error object hold; other 4xx
 *       dead-letter; anything else retries.</li>
 * </ol>
 *
 * <p>Only Meta's own error object ({@code {"error":{"code":…}}}) is evidence against the events. A 4xx without
 * one came from whatever stands where the Graph API should be: a wrong {@code META_GRAPH_URL}, a proxy, a load
 * balancer, an API gateway. Every message would meet the same answer, so dead-lettering would flood the DLQ
 * with good events; holding keeps them on the queue and tells the operator.
 *
 * <p>Immutable and thread-safe. Never throws for anything Meta sends: an unreadable body is classified by its
 * status alone.
 */
public final class MetaResponseClassifier {

    /** Longest {@code reason} and Meta {@code message} kept: enough to act on, short enough for an SQS attribute. */
    static final int MAX_TEXT_LENGTH = 256;

    /** Longest host or {@code Server} header named in a reason: hosts are short, a longer header is noise. */
    static final int MAX_ORIGIN_LENGTH = 64;

    /** Longest wait honoured from {@code Retry-After}: longer hints would outlast SQS visibility and the backoff. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    /** App, user, application, ad-account and business-use-case rate limits. */
    private static final Set<Integer> THROTTLING_CODES = Set.of(4, 17, 341, 613, 80003, 80004);
    /** Unknown error, service unavailable, temporarily blocked: Meta's docs say to wait and retry. */
    private static final Set<Integer> TEMPORARY_CODES = Set.of(1, 2, 368);

    private final JsonMapper jsonMapper;
    private final Clock clock;

    public MetaResponseClassifier(JsonMapper jsonMapper) {
        this(jsonMapper, Clock.systemUTC());
    }

    /** @param clock only used to turn an HTTP-date {@code Retry-After} into a wait */
    public MetaResponseClassifier(JsonMapper jsonMapper, Clock clock) {
        this.jsonMapper = Objects.requireNonNull(jsonMapper, "jsonMapper");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Classifies a response that arrived.
     *
     * <p>A {@link ErrorClass#AUTH} hold means Meta rejected the token that was sent. The token may already have
     * been rotated in Secrets Manager, so the caller must force a re-read of the secret and retry once before it
     * treats the hold as final (contract §2).
     *
     * @param responseBody the body as received, possibly {@code null}, empty, HTML or truncated
     * @param eventsSent how many events the request carried
     * @param retryAfterHeader the raw {@code Retry-After} header, or {@code null}
     */
    public GatewayResult classify(int httpStatus, String responseBody, int eventsSent, String retryAfterHeader) {
        return classify(httpStatus, responseBody, eventsSent, retryAfterHeader, Origin.UNKNOWN);
    }

    /**
     * As {@link #classify(int, String, int, String)}, naming {@code origin} in the reason when the answer is not
     * Meta's, so that the operator sees which host answered.
     */
    public GatewayResult classify(int httpStatus, String responseBody, int eventsSent, String retryAfterHeader,
            Origin origin) {
        Objects.requireNonNull(origin, "origin");
        JsonNode body = readTree(responseBody);
        JsonNode errorNode = body.path("error");
        MetaError error = errorNode.isObject() ? metaError(errorNode) : null;
        String bodyNote = responseBody == null || responseBody.isBlank() ? "empty body"
                : body.isMissingNode() ? "non-JSON body" : null;
        Response response = new Response(httpStatus, bodyNote, error, text(errorNode.path("error_user_title")),
                error != null && error.fbtraceId() != null ? error.fbtraceId() : text(body.path("fbtrace_id")),
                parseRetryAfter(retryAfterHeader));
        Integer code = error == null ? null : error.code();

        if (code != null) {
            // 190: the token expired or was revoked. Retrying or dead-lettering would only move every
            // message the same way; an operator (or the rotated secret) has to provide a new token.
            if (code == 190) {
                return response.hold(ErrorClass.AUTH, "access token rejected");
            }
            // 10, 200-299: the token is valid but lacks a permission on the pixel or ad account. Not the
            // event's fault, and it will not heal by waiting.
            if (code == 10 || (code >= 200 && code <= 299)) {
                return response.hold(ErrorClass.PERMISSION, "permission denied");
            }
            // 100 with subcode 33: "Object with ID ... does not exist, cannot be loaded due to missing permissions":
            // the pixel in the URL is wrong or this token cannot see it. Every event of the pixel would fail alike,
            // so dead-lettering them (after bisecting each batch down to single events: ~2 requests per event)
            // would fill the DLQ for a configuration fault. Held, like a missing permission.
            if (code == 100 && Integer.valueOf(33).equals(error.subcode())) {
                return response.hold(ErrorClass.PERMISSION, "pixel not found or not visible to this token");
            }
            // 2635: the configured Graph API version is retired; every request fails until it is raised.
            if (code == 2635) {
                return response.hold(ErrorClass.DEPRECATED_API_VERSION,
                        "Graph API version retired, raise META_GRAPH_API_VERSION");
            }
            // Rate limits (app, user, ad account, business use case): Meta's documented remedy is to slow
            // down and try again. The events themselves are fine.
            if (THROTTLING_CODES.contains(code)) {
                return response.retry(ErrorClass.TRANSIENT, "Meta throttling");
            }
            // 1, 2, 368: unknown error, service down, temporarily blocked. Meta documents them as temporary.
            if (TEMPORARY_CODES.contains(code)) {
                return response.retry(ErrorClass.TRANSIENT, "Meta transient error");
            }
        }
        // Meta's own hint, for codes it does not document as temporary. Checked after the hold codes so that a
        // rejected token is never retried blindly.
        if (error != null && Boolean.TRUE.equals(error.isTransient())) {
            return response.retry(ErrorClass.TRANSIENT, "Meta transient error");
        }
        // 100: invalid parameter, whatever the status. Meta rejects the whole request for one bad event, so for a
        // batch of several the caller has to split it to find the culprit before dead-lettering anything.
        if (code != null && code == 100) {
            return response.deadLetter("Meta rejected the event");
        }
        if (httpStatus >= 200 && httpStatus <= 299) {
            // A 2xx with nothing of Meta's in it (no events_received, no fbtrace_id, no messages: a captive
            // portal's login page, a proxy's bare "OK", an empty 204) is not the Graph API accepting anything.
            // Whatever answered answers every message alike: deleting would lose them, retrying would end them in
            // the DLQ as RETRIES_EXHAUSTED. Held, like every other answer that is not Meta's.
            if (!fromMeta(body, response.fbtraceId)) {
                return notFromMeta(httpStatus, responseBody, body, origin, null);
            }
            return accountForEvents(response, body, eventsSent);
        }
        // 408, 429, 5xx (HTML error pages and empty bodies included): the request never reached a verdict
        // about the events. Meta's support page says to retry non-client errors.
        if (httpStatus == 408 || httpStatus == 429 || (httpStatus >= 500 && httpStatus <= 599)) {
            return response.retry(ErrorClass.TRANSIENT, "Meta unavailable");
        }
        // A 4xx without Meta's error object did not come from the Graph API's judgement of the events: Meta always
        // explains a refusal with {"error":{"code":...}}. Whatever answered (a wrong META_GRAPH_URL, a proxy, a
        // load balancer, a gateway) answers every message alike, so dead-lettering would move good events to the
        // DLQ by the thousand, and splitting the batch would multiply the requests first. Held instead: nothing
        // is deleted, consumption pauses, readiness goes OUT_OF_SERVICE and an operator is alerted. Not retried,
        // either: a configuration fault does not heal by itself, and retries would end in the DLQ as
        // RETRIES_EXHAUSTED. 401 and 403 belong here too: Meta's token and permission errors carry a code, so a
        // bare one is a proxy or firewall refusing, and re-reading the secret or granting permissions would not help.
        if (httpStatus >= 400 && httpStatus <= 499 && !isMetaError(error, httpStatus)) {
            return notFromMeta(httpStatus, responseBody, body, origin, response.fbtraceId);
        }
        // 401/403 that no code blames on the event: the status speaks about the credentials, which every
        // other message shares.
        if (httpStatus == 401) {
            return response.hold(ErrorClass.AUTH, "access token rejected");
        }
        if (httpStatus == 403) {
            return response.hold(ErrorClass.PERMISSION, "permission denied");
        }
        // Any other 4xx: Meta refused this request for its content; sending it again cannot change that.
        if (httpStatus >= 400 && httpStatus <= 499) {
            return response.deadLetter("Meta rejected the request");
        }
        // 3xx: the worker does not follow redirects (events go to the configured URL only), and the Graph API does
        // not redirect its events edge: a wrong META_GRAPH_URL (http for https, a moved host) or a proxy answers.
        // Every message would get the same answer, retried until the attempt limit dead-lettered it. Held.
        if (httpStatus >= 300 && httpStatus <= 399) {
            return notFromMeta(httpStatus, responseBody, body, origin, response.fbtraceId);
        }
        // 1xx, out-of-range: not an answer the Conversions API documents. Retry; the attempt limit dead-letters the
        // message if it persists.
        return response.retry(ErrorClass.TRANSIENT, "unexpected answer from Meta");
    }

    /**
     * Whether the body carried Meta's error object. Every Graph API error has a numeric {@code code}; without one the
     * object is someone else's. Some other APIs answer {@code {"error":{"code":404,"message":"Not Found"}}}, the
     * HTTP status repeated as the code (Google's JSON style): without Meta's {@code type} or {@code fbtrace_id}
     * such a code is not taken for Meta's, because its {@code 404} would otherwise read as Meta refusing the events.
     */
    private static boolean isMetaError(MetaError error, int httpStatus) {
        if (error == null || error.code() == null) {
            return false;
        }
        return error.code() != httpStatus || error.type() != null || error.fbtraceId() != null;
    }

    /**
     * A 4xx that Meta did not explain: held, with a reason naming the status, the kind of body, the host and the
     * {@code Server} that answered, and what to check. The body itself is never quoted: an error page may echo
     * the request, and the request carries the token and hashed customer data.
     */
    private static GatewayResult notFromMeta(int httpStatus, String rawBody, JsonNode body, Origin origin,
            String fbtraceId) {
        StringBuilder reason = new StringBuilder("HTTP ").append(httpStatus).append(" without a Meta error body (")
                .append(bodyKind(rawBody, body)).append(')');
        String host = origin.host() == null ? null : oneLine(origin.host(), MAX_ORIGIN_LENGTH);
        if (host != null) {
            reason.append(" from ").append(host);
        }
        String server = origin.server() == null ? null : oneLine(origin.server(), MAX_ORIGIN_LENGTH);
        if (server != null) {
            reason.append(", Server: ").append(server);
        }
        ErrorClass errorClass = ErrorClass.NON_META_RESPONSE;
        if (httpStatus == 413) {
            // Most likely a body-size limit of a proxy or gateway (nginx's default is 1 MB, batches reach
            // capi.dispatch.batch-max-bytes, 3 MB). Splitting gets under it, so this class is the one hold the
            // batch sender splits on; only a single event that still does not fit is held.
            errorClass = ErrorClass.REQUEST_TOO_LARGE;
            reason.append(" — request too large for a proxy or gateway on the way to Meta: lower"
                    + " capi.dispatch.batch-max-bytes or raise its limit");
        } else if (httpStatus == 401 || httpStatus == 403 || httpStatus == 407) {
            reason.append(" — refused by a proxy, gateway or firewall, not by Meta: check META_GRAPH_URL and the"
                    + " network path to Meta");
        } else if (httpStatus >= 300 && httpStatus <= 399) {
            reason.append(" — a redirect, which the worker does not follow: check META_GRAPH_URL (https, the host)"
                    + " and any proxy in between");
        } else {
            reason.append(" — not Meta's API answering: check META_GRAPH_URL and any proxy in between");
        }
        return new GatewayResult(Verdict.HOLD, errorClass, truncate(reason.toString()), httpStatus, null, fbtraceId,
                null);
    }

    /** What kind of body arrived, sniffed from its start: enough to tell an error page from an empty answer. */
    private static String bodyKind(String raw, JsonNode tree) {
        if (raw == null || raw.isBlank()) {
            return "empty body";
        }
        if (!tree.isMissingNode()) {
            return "JSON without Meta's error object";
        }
        return raw.stripLeading().startsWith("<") ? "HTML page" : "plain-text body";
    }

    /**
     * Classifies a request that got no response: timeout, connection reset or refused, DNS failure. Always a
     * retry. Meta may have accepted the events before the connection broke (OkHttp's {@code Call} warns about
     * exactly this), which is safe because the resent events keep their {@code event_id} and Meta deduplicates
     * on {@code event_id} + {@code event_name}.
     */
    public GatewayResult transportFailure(IOException failure) {
        Objects.requireNonNull(failure, "failure");
        return new GatewayResult(Verdict.RETRY, ErrorClass.TRANSIENT, truncate(describe(failure)), 0, null, null,
                null);
    }

    /** A success body with any of the fields Meta's events edge answers with, or Meta's trace id. */
    private static boolean fromMeta(JsonNode body, String fbtraceId) {
        return fbtraceId != null || body.isObject()
                && (body.has("events_received") || body.has("messages") || body.has("fbtrace_id"));
    }

    /** 2xx means the request was well formed, not that every event was taken: only {@code events_received} says so. */
    private static GatewayResult accountForEvents(Response response, JsonNode body, int eventsSent) {
        JsonNode received = body.path("events_received");
        if (received.isIntegralNumber() && received.canConvertToInt() && received.intValue() == eventsSent) {
            return GatewayResult.delivered(response.status, response.fbtraceId);
        }
        // Not "delivered": a message deleted now would be lost if Meta dropped it. Resending is safe because
        // Meta deduplicates on event_id + event_name.
        String summary;
        if (body.isMissingNode()) {
            summary = "delivery unconfirmed";
        } else if (!received.isIntegralNumber()) {
            summary = "delivery unconfirmed, no events_received for " + eventsSent + " events";
        } else {
            summary = "delivery unconfirmed, Meta received " + received.asString() + " of " + eventsSent + " events";
        }
        return response.retry(ErrorClass.INCOMPLETE_RESPONSE, summary);
    }

    private JsonNode readTree(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            JsonNode tree = jsonMapper.readTree(body);
            return tree == null ? MissingNode.getInstance() : tree;
        } catch (JacksonException notJson) {
            // HTML error pages from Meta's edge, truncated bodies: the status alone decides.
            return MissingNode.getInstance();
        }
    }

    private static MetaError metaError(JsonNode error) {
        JsonNode isTransient = error.path("is_transient");
        return new MetaError(integer(error.path("code")), integer(error.path("error_subcode")),
                text(error.path("type")), text(error.path("message")),
                isTransient.isBoolean() ? isTransient.booleanValue() : null, text(error.path("fbtrace_id")));
    }

    /** Meta sends numbers; a numeric string is tolerated because a proxy re-encoding the body costs nothing here. */
    private static Integer integer(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        if (node.isString()) {
            try {
                return Integer.valueOf(node.stringValue().trim());
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        return null;
    }

    /** Strings only, one line, bounded: they end up in log lines and SQS message attributes. */
    private static String text(JsonNode node) {
        if (!node.isString()) {
            return null;
        }
        return oneLine(node.stringValue(), MAX_TEXT_LENGTH);
    }

    /** One line of at most {@code maxLength} characters, or {@code null} when nothing printable is left. */
    private static String oneLine(String value, int maxLength) {
        String oneLine = value.replaceAll("\\p{Cntrl}", " ").replaceAll("\\s+", " ").trim();
        if (oneLine.isEmpty()) {
            return null;
        }
        return oneLine.length() <= maxLength ? oneLine : oneLine.substring(0, maxLength - 1) + "…";
    }

    /** Seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is ignored rather than guessed at. */
    private Duration parseRetryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        Duration wait;
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                wait = Duration.ofSeconds(Long.parseLong(value));
            } catch (NumberFormatException tooManyDigits) {
                wait = MAX_RETRY_AFTER;
            }
        } else {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                wait = Duration.between(clock.instant(), at.toInstant());
            } catch (DateTimeParseException garbage) {
                return null;
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    /**
     * The exception type says what happened. Its message is kept only where OkHttp's text is known to name no
     * more than a host or a phase; other messages may quote the URL or the request.
     */
    private static String describe(IOException failure) {
        String type = failure.getClass().getSimpleName().isEmpty() ? failure.getClass().getName()
                : failure.getClass().getSimpleName();
        if (failure instanceof SocketTimeoutException) {
            return "timeout: " + type + messageOf(failure);
        }
        if (failure instanceof ConnectException) {
            return "connection failed: " + type + messageOf(failure);
        }
        // OkHttp reports its call timeout as a plain InterruptedIOException.
        if (failure instanceof InterruptedIOException) {
            return "timeout: " + type;
        }
        return "I/O error: " + type;
    }

    private static String messageOf(IOException failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return "";
        }
        return ": " + message.replaceAll("\\p{Cntrl}", " ").trim();
    }

    private static String truncate(String text) {
        return text.length() <= MAX_TEXT_LENGTH ? text : text.substring(0, MAX_TEXT_LENGTH - 1) + "…";
    }

    /**
     * Who answered, as far as the worker can tell: the host the request was sent to, and the {@code Server}
     * header of the response (say {@code nginx} or {@code awselb/2.0}: which hop spoke when Meta did not).
     * Both are named only in the reason of an answer that is not Meta's. Never a URL: no path, no query.
     *
     * @param host host, and port when not the scheme's default; {@code null} if unknown
     * @param server the {@code Server} header, or {@code null}
     */
    public record Origin(String host, String server) {

        /** Nothing known about who answered. */
        public static final Origin UNKNOWN = new Origin(null, null);
    }

    /** What one response carried, and how to turn it into each verdict. */
    private record Response(int status, String bodyNote, MetaError error, String userTitle, String fbtraceId,
            Duration retryAfter) {

        GatewayResult retry(ErrorClass errorClass, String summary) {
            return new GatewayResult(Verdict.RETRY, errorClass, reason(summary), status, error, fbtraceId,
                    retryAfter);
        }

        GatewayResult hold(ErrorClass errorClass, String summary) {
            return new GatewayResult(Verdict.HOLD, errorClass, reason(summary), status, error, fbtraceId, null);
        }

        GatewayResult deadLetter(String summary) {
            return new GatewayResult(Verdict.DEAD_LETTER, ErrorClass.META_REJECTED, reason(summary), status, error,
                    fbtraceId, null);
        }

        /**
         * For example {@code "Meta rejected the event: HTTP 400, code 100/2804016 OAuthException: Invalid parameter
         * (User Parameter Not Hashed)"}. Meta's message and title name the parameter, not its value; the
         * {@code error_user_msg} is left out because it may quote what was sent.
         */
        private String reason(String summary) {
            StringBuilder reason = new StringBuilder(summary).append(": HTTP ").append(status);
            if (bodyNote != null) {
                reason.append(", ").append(bodyNote);
            }
            if (error == null) {
                return truncate(reason.toString());
            }
            if (error.code() != null) {
                reason.append(", code ").append(error.code());
                if (error.subcode() != null) {
                    reason.append('/').append(error.subcode());
                }
            }
            if (error.type() != null) {
                reason.append(' ').append(error.type());
            }
            if (error.message() != null) {
                reason.append(": ").append(error.message());
            }
            if (userTitle != null) {
                reason.append(" (").append(userTitle).append(')');
            }
            return truncate(reason.toString());
        }
    }
}
