package ai.track.capidispatch.bench;

import ai.track.capidispatch.sqs.WorkerSqsClient;
import ai.track.capidispatch.support.EmbeddedSqs;
import java.util.Locale;
import java.util.function.UnaryOperator;
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
        SqsAsyncClientBuilder builder = EmbeddedSqs.asyncClientBuilder(endpoint);
        try (SqsAsyncClient client = workerClient ? WorkerSqsClient.build(builder, queue, 64L << 20)
                : DrainRate.yardstickClient(builder)) {
            DrainRate.drain(client, warmQueue, warmCount, pollers, receive);
            MachineCpu cpu = MachineCpu.now(); // this JVM, the drain's: "harness" in MachineCpu's words
            System.out.println("MEASURE");
            double rate = DrainRate.drain(client, queue, count, pollers, receive);
            MachineCpu.Cores used = cpu.since();
            System.out.printf(Locale.ROOT, "RESULT %.1f %.4f %s%n", rate, 1000 * used.harnessCpuSeconds() / count,
                    used.topHarnessThreads(6));
        }
    }
}
