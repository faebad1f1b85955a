package ai.track.capidispatch.dispatch;

import java.util.List;

/** Sends one batch and answers per event, in the batch's order. */
@FunctionalInterface
public interface BatchSender {

    List<GatewayResult> send(PixelBatch batch);
}
