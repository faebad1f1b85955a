package ai.track.capidispatch.sqs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Drops the log lines Spring Cloud AWS writes for a failed receive (one ERROR with a stack trace per poll) when the
 * failure is a {@link ListenerReceives.ReceiveFailedException}: {@link ListenerReceives} has said it once already.
 * Every other line of Spring Cloud AWS, and every other failure, logs as before.
 */
final class QuietReceiveFailures extends TurboFilter {

    private static final String POLLING_SOURCE = "io.awspring.cloud.sqs.listener.source";

    /** Adds the filter to Logback once; does nothing where Logback is not the logging backend. */
    static synchronized void install() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context
                && context.getTurboFilterList().stream().noneMatch(QuietReceiveFailures.class::isInstance)) {
            QuietReceiveFailures filter = new QuietReceiveFailures();
            filter.start();
            context.addTurboFilter(filter);
        }
    }

    @Override
    public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
            Object[] params, Throwable t) {
        if (level != Level.ERROR || !logger.getName().startsWith(POLLING_SOURCE)) {
            return FilterReply.NEUTRAL;
        }
        if (reported(t)) {
            return FilterReply.DENY;
        }
        if (params != null) {
            for (Object param : params) {
                if (param instanceof Throwable throwable && reported(throwable)) {
                    return FilterReply.DENY;
                }
            }
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean reported(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ListenerReceives.ReceiveFailedException) {
                return true;
            }
        }
        return false;
    }
}
