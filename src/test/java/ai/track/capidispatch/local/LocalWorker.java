package ai.track.capidispatch.local;

import ai.track.capidispatch.CapiDispatchWorkerApplication;
import ai.track.capidispatch.support.EmbeddedSqs;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The dev launcher behind {@code mvn spring-boot:test-run}: starts an embedded SQS server (ElasticMQ) on
 * 127.0.0.1 with {@code capi-dispatch} and {@code capi-dispatch-dlq}, then the worker in the {@code local}
 * profile. It lives under {@code src/test} so ElasticMQ (Pekko and Scala, tens of megabytes) stays out of
 * the production jar and image.
 */
public final class LocalWorker {

    public static final int DEFAULT_SQS_PORT = 9324;

    private LocalWorker() {
    }

    public static void main(String[] args) {
        String port = System.getenv().getOrDefault("LOCAL_SQS_PORT", String.valueOf(DEFAULT_SQS_PORT));
        run(Integer.parseInt(port), args);
    }

    /** @param sqsPort 0 for any free port */
    public static ConfigurableApplicationContext run(int sqsPort, String... args) {
        EmbeddedSqs sqs = EmbeddedSqs.start(sqsPort);
        String dlqUrl = sqs.createQueue("capi-dispatch-dlq",
                Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"));
        String dlqArn = sqs.client().getQueueAttributes(b -> b.queueUrl(dlqUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        // The same pairing as in AWS: the queue's own redrive is a backstop above the worker's attempt limit.
        sqs.createQueue("capi-dispatch", Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, "60",
                QueueAttributeName.REDRIVE_POLICY,
                "{\"maxReceiveCount\":\"15\",\"deadLetterTargetArn\":\"" + dlqArn + "\"}"));
        try {
            return new SpringApplicationBuilder(CapiDispatchWorkerApplication.class)
                    .profiles("local")
                    .initializers(context -> context.getBeanFactory()
                            .registerSingleton("embeddedSqsLifecycle", new StopLast(sqs)))
                    .run(withSqsPort(args, sqs.port()));
        } catch (RuntimeException e) {
            sqs.close();
            throw e;
        }
    }

    /** As a command-line argument, so it outranks the profile's default of 9324. */
    private static String[] withSqsPort(String[] args, int port) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = "--capi.local.sqs-port=" + port;
        return all;
    }

    /** Stops the embedded SQS after everything else, so the listener drains against a live server. */
    private static final class StopLast implements SmartLifecycle {
        private final EmbeddedSqs sqs;
        private volatile boolean running = true;

        StopLast(EmbeddedSqs sqs) {
            this.sqs = sqs;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            sqs.close();
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return Integer.MIN_VALUE;
        }
    }
}
