package ai.track.capidispatch.sqs;

import io.awspring.cloud.autoconfigure.sqs.SqsAsyncClientCustomizer;
import io.awspring.cloud.sqs.config.SqsMessageListenerContainerFactory;
import io.awspring.cloud.sqs.listener.ListenerMode;
import io.awspring.cloud.sqs.listener.backpressure.BackPressureHandlerFactories;
import io.awspring.cloud.sqs.listener.backpressure.BackPressureHandlerFactory;
import io.awspring.cloud.sqs.listener.acknowledgement.handler.AcknowledgementMode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SqsWorkerProperties.class)
class SqsListenerConfiguration {

    /**
     * Only the system attributes the listener reads: all of them would be received, parsed and mapped to headers
     * for each message, for nothing. (Message attributes stay "All": Spring Cloud AWS refuses an empty list, and
     * producers do not set any.)
     */
    static final List<MessageSystemAttributeName> SYSTEM_ATTRIBUTES = List.of(
            MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, MessageSystemAttributeName.SENT_TIMESTAMP);

    /**
     * Replaces Spring Cloud AWS's default factory (same bean name) so the worker decides acknowledgement.
     * BATCH: the listener gets a poll's messages at once and settles them together.
     * MANUAL: the worker deletes a message itself ({@link MessageDeleter}), only once its outcome is known
     * (delivered, or safely in the DLQ); Spring Cloud AWS's own acknowledgement is never called. Its batching
     * processor, the alternative, buffers deletes for a second and can lose them on shutdown in 4.1.0
     * (awspring/spring-cloud-aws#1661); interval and threshold zero keep its unused processor the immediate one.
     * Poll back-off: after a failed receive the polling thread sleeps before its next poll, so an unreachable SQS
     * costs a poll every few seconds rather than a tight loop of errors. Received messages become Spring messages
     * through {@link StringMessageConverter}, in one pass instead of seven header maps. The container's receives go
     * through {@link ListenerReceives}: an idle worker stops at once, and an SQS outage is one log line.
     */
    @Bean
    SqsMessageListenerContainerFactory<Object> defaultSqsListenerContainerFactory(SqsAsyncClient sqsAsyncClient,
            SqsWorkerProperties properties, TaskExecutor sqsListenerTaskExecutor, InFlightBudget inFlightBudget,
            ListenerReceives listenerReceives) {
        return SqsMessageListenerContainerFactory.builder()
                .sqsAsyncClient(listenerReceives.watching(sqsAsyncClient))
                .configure(options -> options
                        .componentsTaskExecutor(sqsListenerTaskExecutor)
                        .messageConverter(new StringMessageConverter())
                        .listenerMode(ListenerMode.BATCH)
                        .acknowledgementMode(AcknowledgementMode.MANUAL)
                        .acknowledgementInterval(Duration.ZERO)
                        .acknowledgementThreshold(0)
                        .queueNotFoundStrategy(properties.queueNotFoundStrategy())
                        .maxConcurrentMessages(properties.maxConcurrentMessages())
                        .maxMessagesPerPoll(properties.maxMessagesPerPoll())
                        .backPressureHandlerFactory(pacedPolls(properties, inFlightBudget))
                        .messageSystemAttributeNames(SYSTEM_ATTRIBUTES)
                        .pollTimeout(properties.pollTimeout())
                        .pollBackOffPolicy(pollBackOff(properties))
                        .listenerShutdownTimeout(properties.listenerShutdownTimeout())
                        .acknowledgementShutdownTimeout(Duration.ofSeconds(3)))
                .build();
    }

    /**
     * Spring Cloud AWS's limit on messages in flight, then the {@link InFlightBudget} on their bytes, then {@link
     * PollPacer} on how many receives run at once (in place of Spring Cloud AWS's adaptive handler, which runs up to
     * {@code max-concurrent-messages / 10} long polls whenever a receive brings anything). The pacer comes last: it
     * counts every poll it grants as started. New handlers per container start (a stopped container has drained its
     * handlers); the budget is one for the worker's life.
     */
    static BackPressureHandlerFactory pacedPolls(SqsWorkerProperties properties, InFlightBudget budget) {
        return BackPressureHandlerFactories.compositeBackPressureHandler(
                BackPressureHandlerFactories.concurrencyLimiterBackPressureHandler(),
                options -> new InFlightBytesBackPressure(budget, Duration.ofSeconds(1)),
                options -> PollPacer.forQueue(properties));
    }

    /**
     * {@code max-in-flight-bytes}, by default a share of this JVM's maximum heap; logged once at start-up, and on
     * {@code /actuator/metrics} as {@code capi.sqs.in-flight.bytes} (held now), {@code capi.sqs.in-flight.limit} and
     * {@code capi.sqs.in-flight.waiting} (received messages waiting for room to be parsed).
     */
    @Bean
    InFlightBudget inFlightBudget(SqsWorkerProperties properties, MeterRegistry registry) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        InFlightBudget budget = new InFlightBudget(properties.inFlightBytesLimit(maxHeap));
        Gauge.builder("capi.sqs.in-flight.bytes", budget, InFlightBudget::used).baseUnit("bytes")
                .description("Heap held by messages in flight, as the byte budget counts it").register(registry);
        Gauge.builder("capi.sqs.in-flight.limit", budget, InFlightBudget::limit).baseUnit("bytes")
                .description("capi.sqs.max-in-flight-bytes").register(registry);
        Gauge.builder("capi.sqs.in-flight.waiting", budget, InFlightBudget::waitingMessages)
                .description("Received messages waiting for room in the byte budget").register(registry);
        LoggerFactory.getLogger(InFlightBudget.class).atInfo().addKeyValue("record", "InFlightBudget")
                .addKeyValue("max_in_flight_bytes", budget.limit()).addKeyValue("max_heap_bytes", maxHeap)
                .log("Messages in flight may hold {} MB of the {} MB heap", budget.limit() >> 20, maxHeap >> 20);
        return budget;
    }

    /** See {@link ListenerTaskExecutor}; a bean so the context shuts it down after the listener has stopped. */
    @Bean
    TaskExecutor sqsListenerTaskExecutor(SqsWorkerProperties properties) {
        return ListenerTaskExecutor.forThisRuntime(properties.maxConcurrentMessages());
    }

    /**
     * Exponential, doubling from {@code poll-back-off-initial} to {@code poll-back-off-max}. Spring Cloud AWS keeps
     * one back-off per queue: the first failed receive starts it (later failures, from polls that were already in
     * flight, do not restart it), the polling thread then sleeps before each poll, each sleep twice the last up to
     * the cap, and the first receive that works drops it.
     */
    static ExponentialBackOffPolicy pollBackOff(SqsWorkerProperties properties) {
        ExponentialBackOffPolicy policy = new ExponentialBackOffPolicy();
        policy.setInitialInterval(properties.pollBackOffInitial().toMillis());
        policy.setMultiplier(2.0);
        policy.setMaxInterval(properties.pollBackOffMax().toMillis());
        return policy;
    }

    /**
     * The SQS client's HTTP layer ({@code capi.sqs.http-client}): by default the AWS Common Runtime's client
     * ({@link CrtHttpClient}), with which an SQS call costs about half the CPU it does through Netty, kept working
     * through a graceful shutdown; Netty where the CRT cannot load. Either way with enough connections for every long
     * poll that can be outstanding at once plus headroom, so deletes, DLQ writes and visibility changes never queue
     * behind polls. The SDK's default of 50 is below the polls the listener runs when messages flow
     * ({@code max-concurrent-messages / max-messages-per-poll}), and a delete stuck behind ten-second long polls
     * lets its message reappear before it is deleted. The CRT client reads ahead of what the SDK has taken by at
     * most {@link MessageFootprint#RECEIVE_READ_AHEAD_BYTES} (its default is 16 MiB per call), so an answer waiting
     * for room in the byte budget ({@link ReceiveMetering}) leaves the rest of its bytes in the socket.
     */
    @Bean
    SqsAsyncClientCustomizer sqsHttpClient(SqsWorkerProperties properties, InFlightBudget inFlightBudget) {
        int polls = Math.max(1, properties.maxConcurrentMessages() / Math.min(10, properties.maxMessagesPerPoll()));
        int connections = polls + 50;
        Duration connectionAcquisitionTimeout = Duration.ofSeconds(10);
        SdkAsyncHttpClient.Builder<?> httpClient = switch (properties.httpClient()) {
            case CRT -> CrtHttpClient.builder(connections, connectionAcquisitionTimeout);
            case NETTY -> NettyNioAsyncHttpClient.builder()
                    .maxConcurrency(connections)
                    .connectionAcquisitionTimeout(connectionAcquisitionTimeout);
        };
        return builder -> builder
                .httpClientBuilder(httpClient)
                // The SDK's MD5 of every received body and attribute against the one SQS computed (and of every
                // sent message): over HTTPS, TLS already authenticates each byte, and a body that did arrive
                // mangled fails parsing and is dead-lettered with the reason. It took 8 % of the I/O thread's CPU.
                .checksumValidationEnabled(false)
                // Completions run on the HTTP client's own thread instead of hopping to the SDK's executor: a
                // tenth of the worker's CPU at a steady rate. Safe because nothing that follows an SQS call blocks:
                // Spring Cloud AWS hands received messages to the listener's executor, and the worker's own
                // callbacks (MessageDeleter, DeadLetterWriter, VisibilityChanger) only complete futures, log, or
                // start the next asynchronous call. Keep it that way: a blocking callback here would stall SQS I/O.
                .asyncConfiguration(async -> async.advancedOption(
                        SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, Runnable::run))
                // Added to what is there, not replacing it: Spring Cloud AWS's user agent and any other
                // customizer's settings stay.
                .overrideConfiguration(builder.overrideConfiguration().toBuilder()
                        // Past the longest long poll, so a hung SQS cannot hang a call (the CRT client has no read
                        // timeout of its own: there this is the only one).
                        .apiCallAttemptTimeout(properties.pollTimeout().plusSeconds(10))
                        // Receive answers count against the byte budget as they arrive, and wait for room.
                        .addExecutionInterceptor(new ReceiveMetering(inFlightBudget))
                        .build());
    }
}
