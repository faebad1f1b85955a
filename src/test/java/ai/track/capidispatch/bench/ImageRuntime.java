package ai.track.capidispatch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM options and environment the image gives the worker, read from the Dockerfile's {@code ENV} lines so
 * the benchmark measures what ships, plus the limits of the task it runs in (512 MB, a quarter vCPU: the JVM
 * sees one processor). The AppCDS archive exists only inside the image, so its option is left out here; the
 * image check measures start-up with it.
 */
record ImageRuntime(List<String> jvmOptions, Map<String, String> environment) {

    /** What a JVM in a 512 MB, 0.25 vCPU Fargate task detects on its own from the container's cgroup. */
    static final List<String> TASK_LIMITS = List.of("-XX:MaxRAM=512m", "-XX:ActiveProcessorCount=1");

    private static final Pattern ENV_LINE = Pattern.compile("^ENV ([A-Z_]+)=(\"([^\"]*)\"|\\S+)\\s*$");

    static ImageRuntime fromDockerfile(Path dockerfile) throws IOException {
        List<String> jvmOptions = new ArrayList<>(TASK_LIMITS);
        Map<String, String> environment = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dockerfile)) {
            Matcher env = ENV_LINE.matcher(line);
            if (!env.matches()) {
                continue;
            }
            String value = env.group(3) != null ? env.group(3) : env.group(2);
            if (env.group(1).equals("JAVA_TOOL_OPTIONS")) {
                Arrays.stream(value.trim().split("\\s+"))
                        .filter(option -> !option.startsWith("-XX:SharedArchiveFile") && !option.startsWith("-Xshare"))
                        .forEach(jvmOptions::add);
            } else {
                environment.put(env.group(1), value);
            }
        }
        if (jvmOptions.size() == TASK_LIMITS.size()) {
            throw new IllegalStateException("no ENV JAVA_TOOL_OPTIONS=\"...\" line in " + dockerfile);
        }
        return new ImageRuntime(List.copyOf(jvmOptions), Map.copyOf(environment));
    }
}
