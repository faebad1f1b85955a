package ai.track.capidispatch.sqs;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.reactivestreams.Publisher;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * Counts the bytes of every receive's answer against the {@link InFlightBudget} as they arrive, and lets an answer
 * read on only while the budget has room ({@link MeteredAnswer}). Why here and not per poll: a poll cannot know what
 * it will bring. Reserving the largest answer SQS can give (ten bodies of 1 MiB) for every poll bounded memory, but
 * let only three or four receives run at once on a 512 MB task, which cost small messages a third of their
 * throughput; counting what really arrives lets as many receives run as the count limit allows while a burst of
 * 1 MiB bodies still waits for room, its bytes held back in the socket.
 *
 * <p>An answer's bytes are held from the first byte read until the SDK has decoded the answer into messages (after
 * execution) or given up on it (a failure, a retry, a cancelled call); the listener then charges the messages
 * themselves ({@link InFlightBudget#received}). Other SQS calls (deletes, DLQ writes, retry copies) bring back a
 * few hundred bytes and are not counted.
 */
final class ReceiveMetering implements ExecutionInterceptor {

    private static final ExecutionAttribute<MeteredAnswer> ANSWER = new ExecutionAttribute<>("capi.ReceiveAnswer");

    private final InFlightBudget budget;

    ReceiveMetering(InFlightBudget budget) {
        this.budget = budget;
    }

    @Override
    public Optional<Publisher<ByteBuffer>> modifyAsyncHttpResponseContent(Context.ModifyHttpResponse context,
            ExecutionAttributes attributes) {
        Optional<Publisher<ByteBuffer>> body = context.responsePublisher();
        if (!(context.request() instanceof ReceiveMessageRequest) || body.isEmpty()) {
            return body;
        }
        release(attributes); // an earlier attempt's answer, given up on for this one
        MeteredAnswer answer = new MeteredAnswer(body.get(), budget);
        attributes.putAttribute(ANSWER, answer);
        return Optional.of(answer);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        release(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        release(attributes);
    }

    private static void release(ExecutionAttributes attributes) {
        MeteredAnswer answer = attributes.getAttribute(ANSWER);
        if (answer != null) {
            answer.release();
        }
    }
}
