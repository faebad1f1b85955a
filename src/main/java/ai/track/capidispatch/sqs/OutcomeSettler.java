package ai.track.capidispatch.sqs;

import ai.track.capidispatch.dispatch.DispatchOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.springframework.stereotype.Component;

/**
 * Maps each outcome to its SQS action, the only place that does (contract §4):
 * <ul>
 * <li>delivered → delete (gathered in tens across polls by {@link MessageDeleter});</li>
 * <li>dead-lettered → copy to the DLQ, and delete only the messages whose copy SQS confirmed;</li>
 * <li>retried → a delayed copy that counts the attempt ({@link RetryCopies}), then the original deleted; where no
 * copy can be made or SQS refused it, the original made visible again after its backoff;</li>
 * <li>held → visible again after the hold, and consumption pauses;</li>
 * <li>not started (the worker is stopping) → visible again at once.</li>
 * </ul>
 * Messages that are neither deleted nor delayed come back after the queue's visibility timeout.
 */
@Component
class OutcomeSettler {

    private final MessageDeleter deleter;
    private final DeadLetterWriter deadLetterWriter;
    private final VisibilityChanger visibility;
    private final RetryCopies retryCopies;
    private final ConsumptionController consumption;
    private final RandomGenerator random = RandomGenerator.getDefault();

    OutcomeSettler(MessageDeleter deleter, DeadLetterWriter deadLetterWriter, VisibilityChanger visibility,
            RetryCopies retryCopies, ConsumptionController consumption) {
        this.deleter = deleter;
        this.deadLetterWriter = deadLetterWriter;
        this.visibility = visibility;
        this.retryCopies = retryCopies;
        this.consumption = consumption;
    }

    /** Completes once SQS has answered every action; never exceptionally. */
    CompletableFuture<Void> settle(List<ReceivedMessage> messages) {
        List<String> toDelete = new ArrayList<>();
        List<ReceivedMessage> deadLetters = new ArrayList<>();
        List<VisibilityChanger.Delay> delays = new ArrayList<>();
        List<RetryCopies.Copy> retries = new ArrayList<>();
        for (ReceivedMessage message : messages) {
            DispatchOutcome outcome = message.outcome();
            if (outcome instanceof DispatchOutcome.Delivered) {
                toDelete.add(message.receiptHandle());
            } else if (outcome instanceof DispatchOutcome.DeadLetter) {
                deadLetters.add(message);
            } else if (outcome instanceof DispatchOutcome.RetryLater retry && retry.retryAfter() != null) {
                VisibilityChanger.Delay delay = new VisibilityChanger.Delay(message, retry.retryAfter());
                RetryCopies.Copy copy = RetryCopies.copyOf(delay);
                if (copy != null) {
                    retries.add(copy);
                } else {
                    delays.add(delay);
                }
            } else if (outcome instanceof DispatchOutcome.Held held) {
                Duration paused = consumption.pause(held.errorClass(), held.retryAfter());
                // Back once the pause is over, spread across a second pause so the probe that ends it does not
                // receive the whole held backlog again.
                delays.add(new VisibilityChanger.Delay(message,
                        paused.plusMillis((long) (random.nextDouble() * paused.toMillis()))));
            } else if (outcome instanceof DispatchOutcome.NotStarted) {
                delays.add(new VisibilityChanger.Delay(message, Duration.ZERO));
            }
        }
        if (!toDelete.isEmpty()) {
            consumption.delivered();
        }
        CompletableFuture<List<VisibilityChanger.Delay>> copied = retries.isEmpty()
                ? CompletableFuture.completedFuture(List.of())
                : retryCopies.send(retries);
        CompletableFuture<List<ReceivedMessage>> written = deadLetters.isEmpty()
                ? CompletableFuture.completedFuture(List.of())
                : deadLetterWriter.write(deadLetters);
        return written.thenCombine(copied, (confirmedDeadLetters, confirmedCopies) -> {
            confirmedDeadLetters.forEach(message -> toDelete.add(message.receiptHandle()));
            confirmedCopies.forEach(retry -> toDelete.add(retry.message().receiptHandle()));
            if (confirmedCopies.size() < retries.size()) {
                // Not copied: the original is delayed instead. This attempt goes uncounted; the queue's redrive
                // policy (maxReceiveCount) is the backstop should that repeat.
                Set<VisibilityChanger.Delay> sent = Collections.newSetFromMap(new IdentityHashMap<>());
                sent.addAll(confirmedCopies);
                retries.stream().map(RetryCopies.Copy::retry).filter(retry -> !sent.contains(retry))
                        .forEach(delays::add);
            }
            return null;
        }).thenCompose(sorted -> {
            CompletableFuture<Void> delayed = delays.isEmpty() ? CompletableFuture.completedFuture(null)
                    : visibility.delay(delays);
            CompletableFuture<Void> deleted = toDelete.isEmpty() ? CompletableFuture.completedFuture(null)
                    : deleter.delete(toDelete);
            return CompletableFuture.allOf(delayed, deleted);
        });
    }
}
