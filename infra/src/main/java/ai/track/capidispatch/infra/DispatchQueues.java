package ai.track.capidispatch.infra;

import java.util.List;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Subscription;
import software.amazon.awscdk.services.sns.subscriptions.SqsSubscription;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.sqs.RedriveAllowPolicy;
import software.amazon.awscdk.services.sqs.RedrivePermission;
import software.constructs.Construct;

/**
 * The {@code capi-dispatch} queue and its dead-letter queue, with the redrive between them: one concern, so one
 * construct (the redrive count, the two retention periods and the DLQ's allow policy are only right together).
 *
 * <p>Both queues keep their contract names (contract §1: {@code SQS_QUEUE_URL}, {@code SQS_DLQ_URL}) and are
 * retained when the stack is deleted: a queue holds conversions nobody else has a copy of.
 */
public final class DispatchQueues extends Construct {

    public static final String QUEUE_NAME = "capi-dispatch";
    public static final String DEAD_LETTER_QUEUE_NAME = "capi-dispatch-dlq";

    /**
     * Longest time one message can legitimately be held by a worker: the Meta call ({@code capi.meta.call-timeout},
     * 15 s) plus the DLQ write ({@code capi.sqs.dead-letter-timeout}, 10 s) is 25 s; 60 s leaves more than twice
     * that, so a slow but healthy attempt is never delivered to a second worker at the same time.
     */
    public static final Duration VISIBILITY_TIMEOUT = Duration.seconds(60);
    /** SQS's longest long poll: fewer empty receives, so fewer billed requests on an idle queue. */
    public static final Duration RECEIVE_WAIT_TIME = Duration.seconds(20);
    /** 1 MiB, the contract's message limit (§3) and SQS's maximum. */
    public static final int MAX_MESSAGE_SIZE_BYTES = 1_048_576;
    public static final Duration QUEUE_RETENTION = Duration.days(4);
    /**
     * Longer than the source queue's: SQS keeps a message's original enqueue time when it moves it to the DLQ,
     * so a DLQ with the same retention would expire moved messages early.
     */
    public static final Duration DEAD_LETTER_RETENTION = Duration.days(14);
    /**
     * Above the worker's own attempt limit (10), so the worker dead-letters with its reason attributes first; SQS's
     * redrive is only the backstop for a message that kills or hangs the worker every time it is received.
     */
    public static final int MAX_RECEIVE_COUNT = 15;

    private final Queue queue;
    private final Queue deadLetterQueue;

    public DispatchQueues(Construct scope, String id) {
        super(scope, id);

        // Only capi-dispatch may name this queue as its DLQ. The source is named by ARN, not by reference,
        // because the source queue's redrive policy already refers to this queue (a reference back would be a
        // dependency cycle in CloudFormation).
        String sourceQueueArn = Stack.of(this).formatArn(ArnComponents.builder()
                .service("sqs").resource(QUEUE_NAME).build());
        this.deadLetterQueue = Queue.Builder.create(this, "DeadLetterQueue")
                .queueName(DEAD_LETTER_QUEUE_NAME)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(DEAD_LETTER_RETENTION)
                .maxMessageSizeBytes(MAX_MESSAGE_SIZE_BYTES)
                .redriveAllowPolicy(RedriveAllowPolicy.builder()
                        .redrivePermission(RedrivePermission.BY_QUEUE)
                        .sourceQueues(List.of(Queue.fromQueueArn(this, "SourceQueueRef", sourceQueueArn)))
                        .build())
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        this.queue = Queue.Builder.create(this, "Queue")
                .queueName(QUEUE_NAME)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .visibilityTimeout(VISIBILITY_TIMEOUT)
                .receiveMessageWaitTime(RECEIVE_WAIT_TIME)
                .maxMessageSizeBytes(MAX_MESSAGE_SIZE_BYTES)
                .retentionPeriod(QUEUE_RETENTION)
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(deadLetterQueue)
                        .maxReceiveCount(MAX_RECEIVE_COUNT)
                        .build())
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    /**
     * Subscribes {@code capi-dispatch} to a topic the producers publish conversions to, and lets that topic (only)
     * send to the queue: the CDK adds the {@code sqs:SendMessage} statement for {@code sns.amazonaws.com} with the
     * topic's ARN as {@code aws:SourceArn} to the queue policy.
     *
     * <p>Raw message delivery, because the worker reads the SQS body as the conversion message (contract §3):
     * without it SNS wraps every message in its JSON envelope, and the worker would dead-letter each one as
     * {@code INVALID_MESSAGE}. Raw delivery also turns the SNS message attributes into SQS message attributes.
     * No filter: everything on the topic is meant for this queue, and what is not a conversion message gets a DLQ
     * record with its reason like any other bad input.
     */
    public Subscription subscribeTo(ITopic topic) {
        return topic.addSubscription(SqsSubscription.Builder.create(queue).rawMessageDelivery(true).build());
    }

    /** {@code capi-dispatch}: the worker consumes it. */
    public Queue queue() {
        return queue;
    }

    /** {@code capi-dispatch-dlq}: the worker writes to it; operators read and redrive it. */
    public Queue deadLetterQueue() {
        return deadLetterQueue;
    }
}
