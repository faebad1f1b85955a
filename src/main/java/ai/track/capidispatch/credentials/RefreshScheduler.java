package ai.track.capidispatch.credentials;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Runs the next background read of the secret after a delay. A seam: tests run the task by hand. */
interface RefreshScheduler extends AutoCloseable {

    /** Runs {@code task} once after {@code delay}; does nothing once closed. */
    void schedule(Runnable task, Duration delay);

    /** Cancels what is scheduled; a read in progress is interrupted. */
    @Override
    void close();

    /** One daemon thread of its own: a slow Secrets Manager never holds a listener or a shared pool thread. */
    static RefreshScheduler daemonThread(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return new RefreshScheduler() {
            private final ScheduledExecutorService threads = executor;

            @Override
            public void schedule(Runnable task, Duration delay) {
                try {
                    threads.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                    // Shutting down: nothing more to refresh.
                }
            }

            @Override
            public void close() {
                threads.shutdownNow();
            }
        };
    }
}
