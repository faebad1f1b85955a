package ai.track.capidispatch.meta;

import ai.track.capidispatch.dispatch.GatewayResult;
import ai.track.capidispatch.dispatch.MetaError;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contract's {@code DispatchAttempt} log record (§5): one JSON line per Meta request with stable field
 * names, so Logs Insights queries keep working. Holds ids, counts and codes only — never the request body.
 */
final class DispatchAttemptLog {

    private static final Logger log = LoggerFactory.getLogger("DispatchAttempt");

    void record(String pixelId, int eventCount, GatewayResult result, Duration latency) {
        MetaError error = result.error();
        var line = result.verdict() == GatewayResult.Verdict.DELIVERED ? log.atInfo() : log.atWarn();
        line.addKeyValue("record", "DispatchAttempt")
                .addKeyValue("pixel_id", pixelId)
                .addKeyValue("event_count", eventCount)
                .addKeyValue("outcome", result.verdict().name())
                .addKeyValue("error_class", result.errorClass() == null ? null : result.errorClass().name())
                .addKeyValue("http_status", result.httpStatus())
                .addKeyValue("meta_error_code", error == null ? null : error.code())
                .addKeyValue("meta_error_subcode", error == null ? null : error.subcode())
                .addKeyValue("fbtrace_id", result.fbtraceId())
                .addKeyValue("latency_ms", latency.toMillis())
                .log(result.reason() == null ? "DispatchAttempt" : "DispatchAttempt: " + result.reason());
    }
}
