package ai.track.capidispatch.bench;

import ai.track.capidispatch.sqs.WorkerSqsClient;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The child process of {@link SqsClientCost}: the yardstick's drain (pollers doing receive-10 and delete-batch) in a
 * JVM started with the worker's image options, through the client set-up and receive request it is told. It drains
 * a warm-up queue first, then prints {@code MEASURE}, drains the measured queue, and prints {@code RESULT} with the
 * rate and its own CPU (all threads: JIT and collector included, as the worker's figure is) per message.
 *
 * <p>Arguments: endpoint, warm-up queue URL, measured queue URL, warm-up count, measured count, pollers, client
 * ({@code yardstick} or {@code worker}), receive ({@code plain} or {@code listener}: the attributes the worker's
 * listener asks for).
 */
public final class SqsClientDrain {

    private SqsClientDrain() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String warmQueue = args[1];
        String queue = args[2];
        int warmCount = Integer.parseInt(args[3]);
        int count = Integer.parseInt(args[4]);
        int pollers = Integer.parseInt(args[5]);
        boolean workerClient = switch (args[6]) {
            case "yardstick" -> false;
            case "worker" -> true;
            default -> throw new IllegalArgumentException("client: yardstick or worker, not " + args[6]);
        };
        UnaryOperator<ReceiveMessageRequest.Builder> receive = switch (args[7]) {
            case "plain" -> UnaryOperator.identity();
            case "listener" -> WorkerSqsClient::receiveWithListenerAttributes;
            default -> throw new IllegalArgumentException("receive: plain or listener, not " + args[7]);
        };
        SqsAsyncClientBuilder builder = SqsAsyncClient.builder().endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        try (SqsAsyncClient client = workerClient ? WorkerSqsClient.build(builder, queue, 64L << 20)
                : DrainRate.yardstickClient(builder)) {
            DrainRate.drain(client, warmQueue, warmCount, pollers, receive);
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long pid = ProcessHandle.current().pid();
            Map<String, Double> threadsBefore = WorkerProcess.cpuSecondsByThreadGroup(pid);
            long cpuBefore = os.getProcessCpuTime();
            System.out.println("MEASURE");
            double rate = DrainRate.drain(client, queue, count, pollers, receive);
            double cpuMs = (os.getProcessCpuTime() - cpuBefore) / 1e6;
            Map<String, Double> threadsAfter = WorkerProcess.cpuSecondsByThreadGroup(pid);
            String threads = threadsAfter.entrySet().stream()
                    .map(entry -> Map.entry(entry.getKey(), entry.getValue()
                            - threadsBefore.getOrDefault(entry.getKey(), 0.0)))
                    .filter(entry -> entry.getValue() >= 0.05)
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .map(entry -> String.format(Locale.ROOT, "%s=%.1f", entry.getKey(), entry.getValue()))
                    .collect(Collectors.joining(" "));
            System.out.printf(Locale.ROOT, "RESULT %.1f %.4f %s%n", rate, cpuMs / count, threads);
        }
    }
}
