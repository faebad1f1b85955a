package ai.track.capidispatch.dispatch;

import java.time.Duration;

/**
 * Meta's answer to one request, already classified by the gateway.
 *
 * @param httpStatus the HTTP status, or 0 when no response arrived (timeout, connection failure, open breaker)
 * @param error Meta's error, or {@code null}
 * @param retryAfter from a {@code Retry-After} header, or {@code null}
 * @param errorClass why it is not {@link Verdict#DELIVERED}, or {@code null} when it is
 * @param reason a human-readable reason without customer data, or {@code null} when delivered
 */
public record GatewayResult(Verdict verdict, ErrorClass errorClass, String reason, int httpStatus, MetaError error,
        String fbtraceId, Duration retryAfter) {

    /** The four ways a Meta request can end (contract §4). */
    public enum Verdict {
        DELIVERED, RETRY, DEAD_LETTER, HOLD
    }

    public static GatewayResult delivered(int httpStatus, String fbtraceId) {
        return new GatewayResult(Verdict.DELIVERED, null, null, httpStatus, null, fbtraceId, null);
    }
}
