package ai.track.capidispatch.sqs;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.crt.CRT;
import software.amazon.awssdk.crt.CrtRuntimeException;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The SQS client's HTTP layer: the AWS Common Runtime (CRT) HTTP client, kept working until the SQS client closes.
 *
 * <p>Why CRT: receives and deletes are most of what the worker does per event, and with the CRT client, whose I/O
 * is native, an SQS call costs about half the CPU it did through the SDK's Netty client; the HTTP layer's own share
 * fell to about a third (docs/performance.md).
 *
 * <p>Why this wrapper: the CRT severs every native-to-Java callback in its own JVM shutdown hook, which runs at
 * SIGTERM next to Spring's graceful shutdown (awslabs/aws-crt-java#561). The answers to the last batches' deletes
 * and to the polls being drained would never arrive: messages already accepted by Meta would stay on the queue
 * and be sent again, and the stop would wait out its timeouts. This client holds a CRT shutdown reference from its
 * construction to {@link #close()}, so the CRT stays up until the SDK closes it — which Spring does when it
 * destroys the SQS client, after the listener has stopped and the deletes have been answered.
 */
final class CrtHttpClient implements SdkAsyncHttpClient {

    private final SdkAsyncHttpClient crt;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CrtHttpClient(SdkAsyncHttpClient crt) {
        this.crt = crt;
    }

    /**
     * A builder for the SQS client's {@code httpClientBuilder}: the SDK builds the client with its service defaults
     * and closes it with the SQS client.
     */
    static Builder builder(int maxConcurrency, Duration connectionAcquisitionTimeout) {
        return new Builder(AwsCrtAsyncHttpClient.builder()
                .maxConcurrency(maxConcurrency)
                .connectionAcquisitionTimeout(connectionAcquisitionTimeout)
                .readBufferSizeInBytes((long) MessageFootprint.RECEIVE_READ_AHEAD_BYTES));
    }

    @Override
    public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
        return crt.execute(request);
    }

    @Override
    public String clientName() {
        return crt.clientName();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                crt.close();
            } finally {
                CRT.releaseShutdownRef();
            }
        }
    }

    static final class Builder implements SdkAsyncHttpClient.Builder<Builder> {

        private final AwsCrtAsyncHttpClient.Builder crt;

        private Builder(AwsCrtAsyncHttpClient.Builder crt) {
            this.crt = crt;
        }

        /**
         * @throws IllegalStateException naming the way out when the CRT's native library cannot load here (a
         *     platform the CRT has no build for, no writable temporary directory to unpack it to)
         */
        @Override
        public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            try {
                CRT.acquireShutdownRef();
            } catch (CrtRuntimeException | LinkageError e) {
                throw cannotLoad(e);
            }
            try {
                return new CrtHttpClient(crt.buildWithDefaults(serviceDefaults));
            } catch (CrtRuntimeException | LinkageError e) {
                CRT.releaseShutdownRef();
                throw cannotLoad(e);
            } catch (RuntimeException e) {
                CRT.releaseShutdownRef();
                throw e;
            }
        }

        private static IllegalStateException cannotLoad(Throwable cause) {
            return new IllegalStateException("The SQS client's HTTP layer, the AWS Common Runtime, cannot start on "
                    + "this platform (" + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                    + ", temporary directory " + System.getProperty("java.io.tmpdir") + "): " + cause
                    + ". Set CAPI_SQS_HTTP_CLIENT=netty to use the SDK's Java client instead.", cause);
        }
    }
}
