package ai.track.capidispatch.logging;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns {@code capi.logging.format} ({@code LOG_FORMAT}, defaulted per profile in the {@code application*.yml}
 * files) into Spring Boot's {@code logging.structured.format.console}, and stops start-up on a value that is
 * neither {@code json} nor {@code text}.
 *
 * <p>It has to be an environment post-processor: Spring Boot configures logging from the environment before
 * any bean exists, right after the post-processors ran, so a bean would come too late to choose the layout.
 * It runs after the config files were read, so the profile's default is known.
 */
public final class LogFormatEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY = "capi.logging.format";
    static final String CONSOLE_FORMAT = "logging.structured.format.console";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        LogFormat format = LogFormat.of(environment.getProperty(PROPERTY, "json"));
        // First, so LOG_FORMAT decides even where a config file still names a structured format.
        environment.getPropertySources().addFirst(new MapPropertySource("capiLogFormat",
                Map.of(CONSOLE_FORMAT, format.structuredFormat())));
    }

    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 1;
    }
}
