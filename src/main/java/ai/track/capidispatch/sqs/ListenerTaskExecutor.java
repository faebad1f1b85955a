package ai.track.capidispatch.sqs;

import io.awspring.cloud.sqs.MessageExecutionThreadFactory;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The threads Spring Cloud AWS runs the listener pipeline on.
 *
 * <p>Its default is a pool whose core size is {@code max-concurrent-messages} (2,000 here), and a pool below
 * its core size starts a new thread for every task: after one busy minute the worker had 2,000 platform threads
 * and about 150 MB of their stacks in a 512 MB task, all to run a listener that returns a future at once. The
 * listener never blocks (parsing, hashing and batching are CPU work; Meta and SQS calls are asynchronous), so
 * it needs few threads: virtual threads where the runtime has them (the image's JDK 25), otherwise a small
 * fixed pool whose queue can hold every message in flight.
 */
final class ListenerTaskExecutor {

    static final String THREAD_NAME_PREFIX = "sqs-listener-";
    static final int PLATFORM_THREADS = 8;

    static TaskExecutor forThisRuntime(int maxConcurrentMessages) {
        return Runtime.version().feature() >= 21 ? virtualThreads() : smallPool(maxConcurrentMessages);
    }

    static TaskExecutor virtualThreads() {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor(THREAD_NAME_PREFIX);
        executor.setVirtualThreads(true);
        return executor;
    }

    static TaskExecutor smallPool(int maxConcurrentMessages) {
        // Spring Cloud AWS accepts only virtual threads or threads from its own factory (it checks at start).
        MessageExecutionThreadFactory threads = new MessageExecutionThreadFactory();
        threads.setThreadNamePrefix(THREAD_NAME_PREFIX);
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadFactory(threads);
        executor.setCorePoolSize(PLATFORM_THREADS);
        executor.setMaxPoolSize(PLATFORM_THREADS);
        // A task per message or poll in flight at most; twice that absorbs the moment between a permit's release
        // and its task's end, which Spring Cloud AWS's own pool allows for the same way.
        executor.setQueueCapacity(2 * maxConcurrentMessages);
        executor.afterPropertiesSet();
        return executor;
    }

    private ListenerTaskExecutor() {
    }
}
