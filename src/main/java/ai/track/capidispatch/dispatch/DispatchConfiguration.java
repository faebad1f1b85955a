package ai.track.capidispatch.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DispatchProperties.class)
class DispatchConfiguration {

    /**
     * How far ahead of the worker's clock an {@code event_time} may be. Meta documents no limit; ten minutes
     * absorbs ordinary clock drift between producers and the worker, while a timestamp further ahead is a
     * producer bug (wrong time zone, wrong unit) worth a dead letter. A constant, not configuration: nobody has
     * needed another value yet.
     */
    static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(10);

    @Bean
    EventPreparer eventPreparer(Clock clock) {
        return new EventPreparer(new ConversionMessageParser(), new EventValidator(clock, MAX_FUTURE_SKEW),
                new EventIdGenerator(), new UserDataNormalizer(clock));
    }

    /** One thread per Meta request in flight; the batches waiting for a thread hold only their events. */
    @Bean(destroyMethod = "shutdown")
    ExecutorService metaSendExecutor(DispatchProperties properties) {
        return Executors.newFixedThreadPool(properties.maxBatchesInFlight(), daemonThreads("meta-send-"));
    }

    @Bean
    PixelBatcher pixelBatcher(DispatchProperties properties, ConversionsGateway gateway,
            ExecutorService metaSendExecutor, Clock clock) {
        return new PixelBatcher(properties.batchSettings(), new BisectingBatchSender(gateway), metaSendExecutor,
                clock);
    }

    /** Sends lingering batches; ticks four times per linger so no event waits much longer than the linger. */
    @Bean(destroyMethod = "shutdown")
    ScheduledExecutorService batchLingerTicker(PixelBatcher batcher, DispatchProperties properties) {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemonThreads("batch-linger-"));
        long period = Math.max(5, properties.batchLinger().toMillis() / 4);
        ticker.scheduleAtFixedRate(batcher::flushExpired, period, period, TimeUnit.MILLISECONDS);
        return ticker;
    }

    /**
     * On shutdown, before the listener stops (ContextClosedEvent comes before any lifecycle stop), pending
     * batches go out at once and later events stop waiting for company, so in-flight messages finish within
     * the listener's shutdown timeout.
     */
    @Bean
    ApplicationListener<ContextClosedEvent> drainBatchesOnShutdown(PixelBatcher batcher) {
        return event -> batcher.drain();
    }

    @Bean
    CapiDispatchService capiDispatchService(EventPreparer preparer, PixelBatcher batcher,
            DispatchProperties properties, DispatchMetrics metrics, Clock clock) {
        return new CapiDispatchService(preparer, batcher, properties.retryPolicy(), metrics, clock,
                RandomGenerator.getDefault());
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
