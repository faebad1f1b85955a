package ai.track.capidispatch.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which layout a start-up prints on stdout: text in the {@code local} profile, the Logstash JSON everywhere else,
 * and {@code LOG_FORMAT} overriding either. The start-ups run in one child JVM ({@link LogFormatProbe}), one after
 * the other, with the worker's own configuration files and logging set-up.
 */
class LogFormatTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Map<String, List<String>> output;

    @BeforeAll
    static void startEachCombinationOnce() throws IOException, InterruptedException {
        output = runProbe("default:", "local:", "local:json", "default:text", "default:yaml");
    }

    @Test
    void theDefaultProfileLogsOneJsonObjectPerLineWithTheKeyValues() {
        List<String> lines = output.get("default:");

        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(json(line)).isNotNull());
        JsonNode attempt = json(dispatchAttempt(lines));
        assertThat(attempt.get("level").asString()).isEqualTo("WARN");
        assertThat(attempt.get("record").asString()).isEqualTo("DispatchAttempt");
        assertThat(attempt.get("pixel_id").asString()).isEqualTo("123456789012345");
        assertThat(attempt.get("http_status").asInt()).isEqualTo(503);
    }

    @Test
    void theLocalProfileLogsTextLinesWithTheKeyValuesAndNoColourWithoutATerminal() {
        List<String> lines = output.get("local:");

        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(json(line)).isNull());
        assertThat(dispatchAttempt(lines)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  WARN DispatchAttempt - "
                + "DispatchAttempt: Meta answered 503 record=DispatchAttempt pixel_id=123456789012345 outcome=RETRY "
                + "http_status=503");
        assertThat(String.join("\n", lines)).as("stdout is a pipe here, not a terminal").doesNotContain("\u001b[");
    }

    @Test
    void logFormatJsonGivesTheLocalProfileTheJsonLayout() {
        List<String> lines = output.get("local:json");

        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(json(line)).isNotNull());
        assertThat(json(dispatchAttempt(lines)).get("outcome").asString()).isEqualTo("RETRY");
    }

    @Test
    void logFormatTextGivesOtherProfilesTheTextLayout() {
        List<String> lines = output.get("default:text");

        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(json(line)).isNull());
        assertThat(dispatchAttempt(lines)).contains(" WARN DispatchAttempt - ").endsWith(" outcome=RETRY http_status=503");
    }

    @Test
    void anyOtherLogFormatStopsStartUpNamingTheVariable() {
        assertThat(output.get("default:yaml"))
                .contains("failed: LOG_FORMAT (capi.logging.format) must be json or text, but was 'yaml'");
    }

    private static String dispatchAttempt(List<String> lines) {
        return lines.stream().filter(line -> line.contains("Meta answered 503")).findFirst().orElseThrow();
    }

    /** The line as JSON, or {@code null} when it is not a JSON object. */
    private static JsonNode json(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /** Runs the probe in a JVM of its own; its stdout by start-up, with nothing inherited that configures it. */
    private static Map<String, List<String>> runProbe(String... startUps) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                LogFormatProbe.class.getName()));
        command.addAll(List.of(startUps));
        Path log = Files.createTempFile("log-format-probe", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("LOG_FORMAT") || key.startsWith("SPRING_")
                || key.startsWith("LOGGING_") || key.startsWith("CAPI_") || key.equals("JAVA_TOOL_OPTIONS")
                || key.equals("JDK_JAVA_OPTIONS"));
        Process probe = builder.start();
        boolean exited = probe.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            probe.destroyForcibly();
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertThat(exited).as(text).isTrue();
        assertThat(probe.exitValue()).as(text).isZero();
        Map<String, List<String>> byStartUp = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : text.split("\\R")) {
            if (line.startsWith(LogFormatProbe.MARKER) && !line.startsWith(LogFormatProbe.MARKER + "failed: ")) {
                current = new ArrayList<>();
                byStartUp.put(line.substring(LogFormatProbe.MARKER.length()), current);
            } else if (current != null && line.startsWith(LogFormatProbe.MARKER)) {
                current.add(line.substring(LogFormatProbe.MARKER.length()));
            } else if (current != null && !line.isEmpty()) {
                current.add(line);
            }
        }
        assertThat(byStartUp).as(text).containsOnlyKeys(startUps);
        return byStartUp;
    }
}
