package ai.track.capidispatch.ops;

import ai.track.capidispatch.support.TestInfrastructure;
import ai.track.capidispatch.support.TestInfrastructure.Queues;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Runs operator commands as {@code main} would, against the embedded ElasticMQ, and looks at the queues. */
final class OpsTestSupport {

    private OpsTestSupport() {
    }

    /** What a command printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    /** A fresh queue pair with a unique name, so test methods cannot see each other's messages. */
    static Queues freshQueues(String prefix) {
        return TestInfrastructure.createQueues("ops-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8),
                30);
    }

    static SqsClient sqs() {
        return TestInfrastructure.sqs().client();
    }

    /** Runs a command with {@code --endpoint-url} appended, an empty environment and the given clock. */
    static Run run(Clock clock, String... args) {
        return runWithEnv(clock, Map.of(), args);
    }

    static Run runWithEnv(Clock clock, Map<String, String> env, String... args) {
        return runExactly(clock, env, false, withEndpoint(args));
    }

    /** As {@link #run}, with stderr taken for a terminal, as when an operator runs the command by hand. */
    static Run runInTerminal(Clock clock, String... args) {
        return runExactly(clock, Map.of(), true, withEndpoint(args));
    }

    /** Runs exactly these arguments, as {@code main} would pass them. */
    static Run runExactly(Clock clock, Map<String, String> env, String... args) {
        return runExactly(clock, env, false, args);
    }

    private static String[] withEndpoint(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--endpoint-url";
        all[args.length + 1] = TestInfrastructure.sqs().endpoint();
        return all;
    }

    private static Run runExactly(Clock clock, Map<String, String> env, boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OpsContext context = new OpsContext(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), clock, terminal);
        int exit = new OperatorCommands(context).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A conversion message (contract §3) with raw customer data, as producers send it. */
    static String conversion(String eventId, long eventTime) {
        return "{\"pixel_id\":\"123456789012345\",\"event\":{\"event_name\":\"Purchase\",\"event_time\":" + eventTime
                + ",\"event_id\":\"" + eventId + "\",\"action_source\":\"website\","
                + "\"event_source_url\":\"https://shop.example.com/done\","
                + "\"user_data\":{\"em\":[\"joe." + eventId + "@example.com\"],\"client_ip_address\":\"203.0.113.7\"},"
                + "\"custom_data\":{\"value\":49.99,\"currency\":\"USD\"}}}";
    }

    /** Puts a message on the DLQ the way the worker's DeadLetterWriter does (contract §4 attributes). */
    static String deadLetter(String dlqUrl, String body, String errorClass, Integer code, Integer subcode,
            String reason) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put("capi-error-class", text(errorClass));
        attributes.put("capi-error-message", text(reason));
        if (code != null) {
            attributes.put("capi-error-code", number(code));
        }
        if (subcode != null) {
            attributes.put("capi-error-subcode", number(subcode));
        }
        attributes.put("capi-attempts", number(1));
        attributes.put("capi-source-message-id", text(UUID.randomUUID().toString()));
        return sqs().sendMessage(b -> b.queueUrl(dlqUrl).messageBody(body).messageAttributes(attributes))
                .messageId();
    }

    /** Receives every visible message (and hides it for 30 s): what a consumer would get now. */
    static List<Message> drain(String queueUrl) {
        List<Message> all = new ArrayList<>();
        List<Message> received;
        do {
            received = sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).visibilityTimeout(30)
                    .messageAttributeNames("All")).messages();
            all.addAll(received);
        } while (!received.isEmpty());
        return all;
    }

    static List<String> bodies(List<Message> messages) {
        return messages.stream().map(Message::body).toList();
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static MessageAttributeValue number(int value) {
        return MessageAttributeValue.builder().dataType("Number").stringValue(Integer.toString(value)).build();
    }
}
