package ai.track.capidispatch.logging;

import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Starts, one after the other, Spring applications with the worker's configuration files and logging set-up but
 * none of its beans, and has each log a {@code DispatchAttempt}-like record. {@link LogFormatTest} runs it in a
 * JVM of its own: Spring Boot configures logging only while no other context in the JVM has it configured, so in
 * the test suite's JVM, where cached test contexts stay open, a start-up's choice of layout would not show.
 *
 * <p>Each argument is one start-up, {@code PROFILE:LOG_FORMAT} ({@code default:} for no profile and no
 * {@code LOG_FORMAT}); its output follows a line {@code --- PROFILE:LOG_FORMAT}, and a failed start-up prints
 * {@code --- failed: } and the message of its root cause.
 */
@Configuration(proxyBeanMethods = false)
public class LogFormatProbe {

    static final String MARKER = "--- ";

    public static void main(String[] args) {
        for (String startUp : args) {
            String profile = startUp.substring(0, startUp.indexOf(':'));
            String format = startUp.substring(startUp.indexOf(':') + 1);
            System.out.println(MARKER + startUp);
            SpringApplicationBuilder application = new SpringApplicationBuilder(LogFormatProbe.class)
                    .web(WebApplicationType.NONE);
            if (!profile.equals("default")) {
                application.profiles(profile);
            }
            try (ConfigurableApplicationContext context = application
                    .run(format.isEmpty() ? new String[0] : new String[] {"--LOG_FORMAT=" + format})) {
                LoggerFactory.getLogger("ai.track.capidispatch.meta.DispatchAttempt").atWarn()
                        .addKeyValue("record", "DispatchAttempt")
                        .addKeyValue("pixel_id", "123456789012345")
                        .addKeyValue("outcome", "RETRY")
                        .addKeyValue("meta_error_code", (Object) null)
                        .addKeyValue("http_status", 503)
                        .log("DispatchAttempt: Meta answered 503");
            } catch (RuntimeException e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                System.out.println(MARKER + "failed: " + root.getMessage());
            }
        }
    }
}
