package ai.track.capidispatch.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * ElasticMQ inside the JVM: a real SQS API over HTTP on 127.0.0.1, no Docker, no network. Used by the tests
 * and by the {@code local} dev launcher.
 */
public final class EmbeddedSqs implements AutoCloseable {

    private final SQSRestServer server;
    private final int port;
    private final SqsClient client;

    private EmbeddedSqs(int port) {
        this.port = port;
        this.server = SQSRestServerBuilder.withInterface("127.0.0.1")
                .withPort(port)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                .start();
        this.server.waitUntilStarted();
        this.client = SqsClient.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    /** @param port 0 for any free port */
    public static EmbeddedSqs start(int port) {
        return new EmbeddedSqs(port == 0 ? freePort() : port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public SqsClient client() {
        return client;
    }

    /**
     * A new asynchronous client of this server, as the worker uses, for tests of the worker's SQS classes; the
     * caller closes it. Interceptors see every call (to count them, say).
     */
    public SqsAsyncClient newAsyncClient(ExecutionInterceptor... interceptors) {
        return asyncClientBuilder()
                .overrideConfiguration(c -> c.executionInterceptors(List.of(interceptors)))
                .build();
    }

    /** An asynchronous client's builder pointed at this server, for a test to add its own HTTP layer or settings. */
    public SqsAsyncClientBuilder asyncClientBuilder() {
        return asyncClientBuilder(endpoint());
    }

    /** {@link #asyncClientBuilder()} for a server at {@code endpoint}, from another process (a benchmark's child). */
    public static SqsAsyncClientBuilder asyncClientBuilder(String endpoint) {
        return SqsAsyncClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
    }

    public String createQueue(String name, Map<QueueAttributeName, String> attributes) {
        return client.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
    }

    @Override
    public void close() {
        client.close();
        server.stopAndWait();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
