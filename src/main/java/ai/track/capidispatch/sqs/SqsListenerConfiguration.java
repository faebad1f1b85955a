package ai.track.capidispatch.sqs;

import io.awspring.cloud.autoconfigure.sqs.SqsAsyncClientCustomizer;
import io.awspring.cloud.sqs.config.SqsMessageListenerContainerFactory;
import io.awspring.cloud.sqs.listener.ListenerMode;
import io.awspring.cloud.sqs.listener.acknowledgement.handler.AcknowledgementMode;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SqsWorkerProperties.class)
class SqsListenerConfiguration {

    /**
     * Replaces Spring Cloud AWS's default factory (same bean name) so the worker decides acknowledgement.
     * BATCH: the listener gets a poll's messages at once and settles them together (deletes in tens).
     * MANUAL: a message is deleted only once its outcome is known (delivered, or safely in the DLQ).
     * Interval and threshold zero: deletes go out at once instead of in a 1 s buffer that a shutdown in
     * Spring Cloud AWS 4.1.0 can lose (awspring/spring-cloud-aws#1661).
     * Poll back-off: after a failed receive the polling thread sleeps before its next poll, so an unreachable SQS
     * costs a poll every few seconds rather than a tight loop of errors.
     */
    @Bean
    SqsMessageListenerContainerFactory<Object> defaultSqsListenerContainerFactory(SqsAsyncClient sqsAsyncClient,
            SqsWorkerProperties properties, TaskExecutor sqsListenerTaskExecutor) {
        return SqsMessageListenerContainerFactory.builder()
                .sqsAsyncClient(sqsAsyncClient)
                .configure(options -> options
                        .componentsTaskExecutor(sqsListenerTaskExecutor)
                        .listenerMode(ListenerMode.BATCH)
                        .acknowledgementMode(AcknowledgementMode.MANUAL)
                        .acknowledgementInterval(Duration.ZERO)
                        .acknowledgementThreshold(0)
                        .queueNotFoundStrategy(properties.queueNotFoundStrategy())
                        .maxConcurrentMessages(properties.maxConcurrentMessages())
                        .maxMessagesPerPoll(properties.maxMessagesPerPoll())
                        .pollTimeout(properties.pollTimeout())
                        .pollBackOffPolicy(pollBackOff(properties))
                        .listenerShutdownTimeout(properties.listenerShutdownTimeout())
                        .acknowledgementShutdownTimeout(Duration.ofSeconds(3)))
                .build();
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
     * Enough connections for every long poll that can be outstanding at once plus headroom, so deletes, DLQ
     * writes and visibility changes never queue behind polls. The SDK's default of 50 is below the polls the
     * listener runs when messages flow ({@code max-concurrent-messages / max-messages-per-poll}), and a delete
     * stuck behind ten-second long polls lets its message reappear before it is deleted.
     */
    @Bean
    SqsAsyncClientCustomizer sqsConnectionsForPollsAndAcknowledgements(SqsWorkerProperties properties) {
        int polls = Math.max(1, properties.maxConcurrentMessages() / Math.min(10, properties.maxMessagesPerPoll()));
        return builder -> builder
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(polls + 50)
                        .connectionAcquisitionTimeout(Duration.ofSeconds(10)))
                // Added to what is there, not replacing it: Spring Cloud AWS's user agent and any other
                // customizer's settings stay.
                .overrideConfiguration(builder.overrideConfiguration().toBuilder()
                        // Past the longest long poll, so a hung SQS cannot hang a call.
                        .apiCallAttemptTimeout(properties.pollTimeout().plusSeconds(10))
                        .build());
    }
}
