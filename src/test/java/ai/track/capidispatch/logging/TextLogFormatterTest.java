package ai.track.capidispatch.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import org.springframework.boot.ansi.AnsiOutput;

class TextLogFormatterTest {

    private static final Instant AT = Instant.parse("2026-09-14T10:00:00.250Z");
    private static final String TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault())
            .format(AT);

    private final LoggerContext context = new LoggerContext();
    private final TextLogFormatter formatter = new TextLogFormatter(startedConverter());

    @AfterEach
    void restoreAnsiDetection() {
        AnsiOutput.setEnabled(AnsiOutput.Enabled.DETECT);
    }

    @Test
    void printsTimeLevelShortLoggerNameMessageAndKeyValuesOnOneLine() {
        LoggingEvent event = event(Level.INFO, "ai.track.capidispatch.meta.DispatchAttempt", "DispatchAttempt", null);
        event.addKeyValuePair(new KeyValuePair("record", "DispatchAttempt"));
        event.addKeyValuePair(new KeyValuePair("pixel_id", "123456789012345"));
        event.addKeyValuePair(new KeyValuePair("event_count", 3));
        event.addKeyValuePair(new KeyValuePair("error_class", null));
        event.addKeyValuePair(new KeyValuePair("latency_ms", 182L));

        assertThat(formatter.format(event)).isEqualTo(TIME + "  INFO DispatchAttempt - DispatchAttempt "
                + "record=DispatchAttempt pixel_id=123456789012345 event_count=3 latency_ms=182\n");
    }

    @Test
    void quotesValuesThatAreNotOneWord() {
        LoggingEvent event = event(Level.INFO, "DryRun", "Dry run", null);
        event.addKeyValuePair(new KeyValuePair("user_data_fields", "[em, ph]"));
        event.addKeyValuePair(new KeyValuePair("reason", "said \"no\" = c:\\x"));
        event.addKeyValuePair(new KeyValuePair("test_event_code", ""));

        assertThat(formatter.format(event)).endsWith(" - Dry run user_data_fields=\"[em, ph]\" "
                + "reason=\"said \\\"no\\\" = c:\\\\x\" test_event_code=\"\"\n");
    }

    @Test
    void escapesControlCharactersSoNoValueCanStartALineOrReachTheTerminal() {
        LoggingEvent event = event(Level.WARN, "x.DeadLetterWriter", "first\nforged line\u001b[2J", null);
        event.addKeyValuePair(new KeyValuePair("reason", "a\r\nb\tc"));

        String line = formatter.format(event);

        assertThat(line).isEqualTo(TIME + "  WARN DeadLetterWriter - first\\nforged line\\u001b[2J "
                + "reason=\"a\\r\\nb\\tc\"\n");
    }

    @Test
    void appendsTheStackTraceAfterTheLine() {
        String text = formatter.format(event(Level.ERROR, "x.Listener", "Listener failed",
                new IllegalStateException("boom")));

        assertThat(text).startsWith(TIME + " ERROR Listener - Listener failed\n"
                + "java.lang.IllegalStateException: boom").contains("\tat ");
    }

    @Test
    void coloursTheLevelOnlyWhenSpringBootsAnsiOutputIsOn() {
        LoggingEvent event = event(Level.WARN, "x.Y", "careful", null);

        AnsiOutput.setEnabled(AnsiOutput.Enabled.ALWAYS);
        assertThat(formatter.format(event)).isEqualTo(TIME + " \u001b[33m WARN\u001b[0;39m Y - careful\n");
        AnsiOutput.setEnabled(AnsiOutput.Enabled.NEVER);
        assertThat(formatter.format(event)).isEqualTo(TIME + "  WARN Y - careful\n");
    }

    private LoggingEvent event(Level level, String logger, String message, Throwable thrown) {
        LoggingEvent event = new LoggingEvent(getClass().getName(), context.getLogger(logger), level, message, thrown,
                null);
        event.setInstant(AT);
        return event;
    }

    private ThrowableProxyConverter startedConverter() {
        ThrowableProxyConverter converter = new ThrowableProxyConverter();
        converter.setContext(context);
        converter.start();
        return converter;
    }
}
