package ai.track.capidispatch.metrics;

import io.awspring.cloud.autoconfigure.metrics.CloudWatchAsyncClientCustomizer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;

/**
 * The CloudWatch client's HTTP layer: the SDK's Netty client on one I/O thread the worker owns. The SDK's own event
 * loop group shuts down with Netty's graceful quiet period of two seconds, which was most of an idle worker's stop
 * (ECS deploys wait on every task's stop); this one stops at once, after the client has closed (and after the
 * registry's last publish, which comes before). One thread is plenty for one request a minute.
 */
@Configuration(proxyBeanMethods = false)
class CloudWatchClientConfiguration {

    @Bean(destroyMethod = "")
    EventLoopGroup cloudWatchEventLoop() {
        return new NioEventLoopGroup(1, new DefaultThreadFactory("cloudwatch-io", true));
    }

    /** Destroyed after the client that uses it (Spring destroys dependents first), and stops without waiting. */
    @Bean(destroyMethod = "close")
    CloudWatchEventLoopCloser cloudWatchEventLoopCloser(EventLoopGroup cloudWatchEventLoop) {
        return new CloudWatchEventLoopCloser(cloudWatchEventLoop);
    }

    @Bean
    CloudWatchAsyncClientCustomizer cloudWatchHttpClient(EventLoopGroup cloudWatchEventLoop,
            CloudWatchEventLoopCloser closesItAfterTheClient) {
        return builder -> builder.httpClientBuilder(NettyNioAsyncHttpClient.builder()
                .eventLoopGroup(SdkEventLoopGroup.create(cloudWatchEventLoop)));
    }

    record CloudWatchEventLoopCloser(EventLoopGroup group) {

        void close() {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
