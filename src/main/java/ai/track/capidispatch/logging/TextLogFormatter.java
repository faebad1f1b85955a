package ai.track.capidispatch.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.event.KeyValuePair;
import org.springframework.boot.ansi.AnsiColor;
import org.springframework.boot.ansi.AnsiOutput;
import org.springframework.boot.logging.structured.StructuredLogFormatter;

/**
 * {@code LOG_FORMAT=text}: one line per event for a developer's terminal,
 * {@code 14:03:07.412  WARN DispatchAttempt - DispatchAttempt: ... record=DispatchAttempt pixel_id=... outcome=RETRY},
 * then the stack trace if there is one.
 *
 * <p>It prints a subset of what the JSON layout prints: time, level, the logger's last name segment, the message
 * and the key/values the code adds with {@code addKeyValue} (operators' records are built from them); not the
 * MDC, markers or thread. Key/values without a value are left out. Control characters in the message and in
 * values are escaped, so a value (an error text from Meta, say) can neither start a line of its own nor send
 * escape sequences to the terminal. The level is coloured through Spring Boot's {@link AnsiOutput}, that is
 * only when {@code spring.output.ansi.enabled} says so ({@code detect}, the default: when a terminal is attached).
 */
public final class TextLogFormatter implements StructuredLogFormatter<ILoggingEvent> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private final ThrowableProxyConverter stackTraces;

    /** Spring Boot's structured-logging encoder instantiates it, passing its started converter. */
    public TextLogFormatter(ThrowableProxyConverter stackTraces) {
        this.stackTraces = stackTraces;
    }

    @Override
    public String format(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(200);
        line.append(TIME.format(event.getInstant())).append(' ');
        line.append(level(event.getLevel())).append(' ');
        line.append(shortName(event.getLoggerName())).append(" - ");
        escapeControls(line, event.getFormattedMessage());
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (pair.key != null && pair.value != null) {
                    line.append(' ');
                    escapeControls(line, pair.key);
                    line.append('=');
                    appendValue(line, String.valueOf(pair.value));
                }
            }
        }
        line.append('\n');
        if (event.getThrowableProxy() != null) {
            line.append(stackTraces.convert(event));
        }
        return line.toString();
    }

    private static String level(Level level) {
        String padded = String.format("%5s", level);
        AnsiColor colour = switch (level.toInt()) {
            case Level.ERROR_INT -> AnsiColor.RED;
            case Level.WARN_INT -> AnsiColor.YELLOW;
            default -> AnsiColor.GREEN;
        };
        return AnsiOutput.toString(colour, padded);
    }

    private static String shortName(String loggerName) {
        return loggerName.substring(loggerName.lastIndexOf('.') + 1);
    }

    /** Bare when it is one word; otherwise in double quotes, with quotes and backslashes escaped. */
    private static void appendValue(StringBuilder line, String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '=' || c == '\\'
                || Character.isISOControl(c))) {
            line.append(value);
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\');
            }
            escapeControl(line, c);
        }
        line.append('"');
    }

    private static void escapeControls(StringBuilder line, String text) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            escapeControl(line, text.charAt(i));
        }
    }

    private static void escapeControl(StringBuilder line, char c) {
        switch (c) {
            case '\n' -> line.append("\\n");
            case '\r' -> line.append("\\r");
            case '\t' -> line.append("\\t");
            default -> {
                if (Character.isISOControl(c)) {
                    line.append(String.format("\\u%04x", (int) c));
                } else {
                    line.append(c);
                }
            }
        }
    }
}
