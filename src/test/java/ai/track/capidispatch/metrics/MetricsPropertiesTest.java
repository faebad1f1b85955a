package ai.track.capidispatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Validation;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/** {@code capi.metrics.*} as start-up binds it: a pixel cap below one or a window under a second is refused. */
class MetricsPropertiesTest {

    @Test
    void bindsTheCapAndTheWindow() {
        MetricsProperties properties = bind(Map.of("capi.metrics.max-pixels", "5",
                "capi.metrics.percentile-window", "1m"));

        assertThat(properties.maxPixels()).isEqualTo(5);
        assertThat(properties.percentileWindow()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void refusesACapBelowOne() {
        assertThatThrownBy(() -> bind(Map.of("capi.metrics.max-pixels", "0", "capi.metrics.percentile-window", "1m")))
                .isInstanceOf(BindException.class).hasRootCauseInstanceOf(BindValidationException.class)
                .hasStackTraceContaining("maxPixels");
    }

    @Test
    void refusesAWindowUnderASecond() {
        assertThatThrownBy(() -> bind(Map.of("capi.metrics.max-pixels", "5",
                "capi.metrics.percentile-window", "500ms")))
                .hasRootCauseInstanceOf(BindValidationException.class)
                .hasStackTraceContaining("percentileWindow");
    }

    private static MetricsProperties bind(Map<String, String> values) {
        var validator = new SpringValidatorAdapter(Validation.buildDefaultValidatorFactory().getValidator());
        return new Binder(new MapConfigurationPropertySource(values))
                .bind("capi.metrics", Bindable.of(MetricsProperties.class), new ValidationBindHandler(validator))
                .get();
    }
}
