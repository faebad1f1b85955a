package ai.track.capidispatch.dispatch;

/**
 * Why a message did not count as delivered. The name is what operators see in the DLQ attribute
 * {@code capi-error-class}, in logs and in metric dimensions, so constants are never renamed.
 */
public enum ErrorClass {
    /**
     * The body is not a conversion message: too large, not JSON, wrong types, missing {@code event}, or a malformed
     * SNS or EventBridge envelope.
     */
    INVALID_MESSAGE,
    /** The event breaks one of Meta's rules that the worker checks before sending. */
    INVALID_EVENT,
    /** {@code event_time} is older than Meta's 7-day window: Meta would reject the whole request. */
    EXPIRED,
    /** No credentials exist for the message's pixel. */
    UNKNOWN_PIXEL,
    /** Meta rejected the event itself (code 100 and similar). */
    META_REJECTED,
    /** Timeout, connection failure, 5xx, throttling, or a transient Meta error. */
    TRANSIENT,
    /** Meta's answer did not account for every event sent. */
    INCOMPLETE_RESPONSE,
    /** The circuit breaker is open: Meta is failing and is not being called. */
    CIRCUIT_OPEN,
    /** Meta rejected the access token (code 190). */
    AUTH,
    /** Meta denied permission (codes 10, 200–299). */
    PERMISSION,
    /** The configured Graph API version is retired (code 2635). */
    DEPRECATED_API_VERSION,
    /**
     * An HTTP 4xx without Meta's error object: not the Graph API's verdict on the events but whatever answered
     * in its place (a wrong {@code META_GRAPH_URL}, a proxy, a load balancer, an API gateway). Held.
     */
    NON_META_RESPONSE,
    /**
     * An HTTP 413 without Meta's error object: something on the way to Meta limits the request's size. The batch
     * is split; a single event that still does not fit is held.
     */
    REQUEST_TOO_LARGE,
    /** Credentials could not be loaded from Secrets Manager. */
    CREDENTIALS_UNAVAILABLE,
    /** The attempt limit was reached for a retryable failure. */
    RETRIES_EXHAUSTED
}
