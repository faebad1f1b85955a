package ai.track.capidispatch.ops;

import java.net.URI;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where SQS is: the options every command shares, each overriding the environment variable the worker
 * reads (contract §1). Without {@code --endpoint-url} the AWS SDK's own {@code AWS_ENDPOINT_URL_SQS} /
 * {@code AWS_ENDPOINT_URL} apply, the SQS-specific one first.
 */
final class ConnectionOptions {

    static final String DEFAULT_REGION = "us-east-1";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Option(names = "--endpoint-url", paramLabel = "URL",
            description = "SQS endpoint, e.g. http://127.0.0.1:9324 for the local profile's queues "
                    + "(default: $AWS_ENDPOINT_URL_SQS, $AWS_ENDPOINT_URL, or AWS's endpoint for the region)")
    URI endpointUrl;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region (default: $AWS_REGION or "
            + DEFAULT_REGION + ")")
    String region;

    QueueClient connect(Map<String, String> env) {
        return QueueClient.connect(endpoint(env), region(env));
    }

    URI endpoint(Map<String, String> env) {
        if (endpointUrl != null) {
            return endpointUrl;
        }
        String fromEnv = firstSet(env.get("AWS_ENDPOINT_URL_SQS"), env.get("AWS_ENDPOINT_URL"));
        return fromEnv == null ? null : URI.create(fromEnv);
    }

    String region(Map<String, String> env) {
        String value = firstSet(region, env.get("AWS_REGION"));
        return value == null ? DEFAULT_REGION : value;
    }

    /**
     * The option's value, else the environment variable's; a usage error naming both when neither is set.
     */
    static String required(CommandSpec spec, String value, String option, Map<String, String> env,
            String variable) {
        String resolved = firstSet(value, env.get(variable));
        if (resolved == null) {
            throw new ParameterException(spec.commandLine(), "Missing queue URL: pass " + option + " or set "
                    + variable);
        }
        return resolved;
    }

    private static String firstSet(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }
}
