package ai.track.capidispatch.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged worker jar started as an ECS task starts it: {@code java -jar} with the environment it is given
 * and nothing inherited that could configure it. Shared by the jar ITs, the benchmark and the fault harness.
 */
public final class WorkerJar {

    /** Prefixes of inherited variables that would configure the worker behind the caller's back. */
    private static final List<String> CONFIGURING = List.of("AWS_", "META_", "SQS_", "CAPI_", "SPRING_",
            "SERVER_", "MANAGEMENT_", "RESILIENCE4J_", "LOGGING_", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

    /**
     * The contract's variables for a worker on local stand-ins: the queues on {@code sqsEndpoint}, Secrets
     * Manager and the Graph API both on {@code standInUrl}, and no CloudWatch publishing (no AWS here).
     */
    public static Map<String, String> contractEnvironment(String queueUrl, String dlqUrl, String sqsEndpoint,
            String standInUrl) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SQS_QUEUE_URL", queueUrl);
        env.put("SQS_DLQ_URL", dlqUrl);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_ENDPOINT_URL_SQS", sqsEndpoint);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", standInUrl);
        env.put("META_GRAPH_URL", standInUrl);
        env.put("MANAGEMENT_CLOUDWATCH_METRICS_EXPORT_ENABLED", "false");
        return env;
    }

    /** Starts {@code java [jvmOptions] -jar jar} with exactly {@code env} configuring it; output goes to {@code log}. */
    public static Process start(String java, List<String> jvmOptions, Path jar, Map<String, String> env, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> CONFIGURING.stream().anyMatch(key::startsWith));
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The jar {@code mvn verify} built, as failsafe passes it. */
    public static Path packaged() {
        return Path.of(System.getProperty("worker.jar"));
    }

    /** The JVM running this code. */
    public static String currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private WorkerJar() {
    }
}
