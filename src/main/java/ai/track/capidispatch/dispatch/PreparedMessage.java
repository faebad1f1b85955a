package ai.track.capidispatch.dispatch;

/** A message after everything that happens before the network: ready to batch, or rejected for good. */
public sealed interface PreparedMessage {

    record Ready(BatchKey key, ServerEvent event) implements PreparedMessage {
    }

    record Rejected(DispatchOutcome.DeadLetter deadLetter) implements PreparedMessage {
    }
}
