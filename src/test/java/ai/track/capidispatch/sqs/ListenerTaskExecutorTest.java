package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.awspring.cloud.sqs.MessageExecutionThread;
import io.awspring.cloud.sqs.VirtualThreadUtils;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

class ListenerTaskExecutorTest {

    @Test
    void runsAThousandTasksOnEightThreadsSpringCloudAwsAccepts() {
        ThreadPoolTaskExecutor pool = (ThreadPoolTaskExecutor) ListenerTaskExecutor.smallPool(500);
        try {
            Set<Thread> threads = runTasks(pool, 1_000);

            assertThat(threads).hasSizeLessThanOrEqualTo(ListenerTaskExecutor.PLATFORM_THREADS)
                    .allSatisfy(thread -> {
                        assertThat(thread).isInstanceOf(MessageExecutionThread.class);
                        assertThat(thread.getName()).startsWith(ListenerTaskExecutor.THREAD_NAME_PREFIX);
                    });
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void usesVirtualThreadsWhereTheRuntimeHasThem() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21 or newer");
        TaskExecutor executor = ListenerTaskExecutor.forThisRuntime(500);
        try {
            assertThat(runTasks(executor, 100)).allMatch(VirtualThreadUtils::isVirtual);
        } finally {
            ((AutoCloseable) executor).close();
        }
    }

    @Test
    void usesTheSmallPoolOnJdk17() {
        assumeTrue(Runtime.version().feature() < 21, "JDK 17 to 20 only");
        TaskExecutor executor = ListenerTaskExecutor.forThisRuntime(500);
        try {
            assertThat(executor).isInstanceOf(ThreadPoolTaskExecutor.class);
        } finally {
            ((ThreadPoolTaskExecutor) executor).shutdown();
        }
    }

    private static Set<Thread> runTasks(TaskExecutor executor, int count) {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Void>> tasks = IntStream.range(0, count)
                .mapToObj(i -> CompletableFuture.runAsync(() -> threads.add(Thread.currentThread()), executor))
                .toList();
        CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
        return threads;
    }
}
