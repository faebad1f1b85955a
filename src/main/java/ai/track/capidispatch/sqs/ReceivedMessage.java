package ai.track.capidispatch.sqs;

import ai.track.capidispatch.dispatch.DispatchOutcome;
import ai.track.capidispatch.dispatch.IncomingMessage;
import org.springframework.messaging.Message;

/** One message of a received batch with what the dispatch service decided for it. */
record ReceivedMessage(Message<String> message, IncomingMessage incoming, DispatchOutcome outcome) {

    String receiptHandle() {
        return message.getHeaders().get(io.awspring.cloud.sqs.listener.SqsHeaders.SQS_RECEIPT_HANDLE_HEADER,
                String.class);
    }
}
