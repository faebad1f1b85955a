package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.config.SqsMessageListenerContainerFactory;
import io.awspring.cloud.sqs.listener.ListenerMode;
import io.awspring.cloud.sqs.listener.acknowledgement.handler.AcknowledgementMode;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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
     */
    @Bean
    SqsMessageListenerContainerFactory<Object> defaultSqsListenerContainerFactory(SqsAsyncClient sqsAsyncClient,
            SqsWorkerProperties properties) {
        return SqsMessageListenerContainerFactory.builder()
                .sqsAsyncClient(sqsAsyncClient)
                .configure(options -> options
                        .listenerMode(ListenerMode.BATCH)
                        .acknowledgementMode(AcknowledgementMode.MANUAL)
                        .acknowledgementInterval(Duration.ZERO)
                        .acknowledgementThreshold(0)
                        .queueNotFoundStrategy(properties.queueNotFoundStrategy())
                        .maxConcurrentMessages(properties.maxConcurrentMessages())
                        .maxMessagesPerPoll(properties.maxMessagesPerPoll())
                        .pollTimeout(properties.pollTimeout())
                        .listenerShutdownTimeout(properties.listenerShutdownTimeout())
                        .acknowledgementShutdownTimeout(Duration.ofSeconds(3)))
                .build();
    }
}
