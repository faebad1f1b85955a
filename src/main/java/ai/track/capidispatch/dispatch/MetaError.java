package ai.track.capidispatch.dispatch;

/**
 * The {@code error} object of a Graph API response, reduced to what is safe to log and to store as DLQ
 * attributes. Meta's {@code message} describes the parameter at fault, not its value.
 *
 * @param code Meta's error code, or {@code null} when the body carried none
 * @param subcode {@code error_subcode}, or {@code null}
 * @param isTransient Meta's {@code is_transient} hint, or {@code null}
 */
public record MetaError(Integer code, Integer subcode, String type, String message, Boolean isTransient,
        String fbtraceId) {
}
