package ai.track.capidispatch.logging;

import java.util.Locale;

/** The layouts of the console log, by the names {@code LOG_FORMAT} takes. */
enum LogFormat {

    /** One JSON object per line, Spring Boot's Logstash layout: what CloudWatch Logs Insights queries rely on. */
    JSON("logstash"),

    /** One line of text per event, key/values appended: for reading on a laptop. */
    TEXT(TextLogFormatter.class.getName());

    private final String structuredFormat;

    LogFormat(String structuredFormat) {
        this.structuredFormat = structuredFormat;
    }

    /** The value for {@code logging.structured.format.console}: a format Spring Boot knows, or a formatter class. */
    String structuredFormat() {
        return structuredFormat;
    }

    /**
     * @param value {@code json} or {@code text}, in any case
     * @throws IllegalStateException naming {@code LOG_FORMAT} for anything else, blank included
     */
    static LogFormat of(String value) {
        String name = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
        for (LogFormat format : values()) {
            if (format.name().equals(name)) {
                return format;
            }
        }
        throw new IllegalStateException("LOG_FORMAT (" + LogFormatEnvironmentPostProcessor.PROPERTY
                + ") must be json or text, but was '" + value + "'");
    }
}
