package ai.track.capidispatch.metrics;

import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.NamingConvention;
import java.util.Set;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What reaches CloudWatch: the contract's metrics (§5) under their exact names, and nothing else — every
 * CloudWatch metric costs money, and JVM and HTTP meters stay available on {@code /actuator/prometheus}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MetricsProperties.class)
class ContractMetrics {

    /**
     * Contract §5, plus the worker's extensions: {@code DispatchHeld} for the held state, and the per-pixel
     * percentiles {@code EventAgePercentile} and {@code MetaRequestLatencyPercentile} ({@link PixelPercentiles}).
     */
    static final Set<String> NAMES = Set.of("DispatchSuccess", "DispatchRetry", "DispatchDeadLetter",
            "DispatchFailure", "DispatchHeld", "DispatchLatency", "MetaRequestLatency", "BatchSize",
            "CircuitBreakerState", "EventAgePercentile", "MetaRequestLatencyPercentile");

    @Bean
    MeterRegistryCustomizer<CloudWatchMeterRegistry> contractMetricsOnly() {
        return registry -> registry.config()
                .meterFilter(MeterFilter.denyUnless(id -> NAMES.contains(id.getName())))
                .namingConvention(new ContractNamingConvention());
    }

    /**
     * The CloudWatch registry publishes a counter as {@code name.count}, a gauge as {@code name.value} and a
     * timer's mean as {@code name.avg} (beside {@code .max}, {@code .sum}, {@code .count}). The contract and
     * the operators' runbook query the bare names, so those three keep the bare name. A time gauge (the
     * percentiles) is a gauge here: {@code EventAgePercentile.value} goes out as {@code EventAgePercentile}.
     */
    static final class ContractNamingConvention implements NamingConvention {

        @Override
        public String name(String name, Meter.Type type, String baseUnit) {
            switch (type) {
                case COUNTER:
                    return strip(name, ".count");
                case GAUGE:
                    return strip(name, ".value");
                case TIMER:
                case DISTRIBUTION_SUMMARY:
                    return strip(name, ".avg");
                default:
                    return name;
            }
        }

        private static String strip(String name, String suffix) {
            return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
        }
    }
}
