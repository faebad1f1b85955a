package ai.track.capidispatch.dispatch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Meta rejects a whole request when one event in it is invalid. When that happens this sender splits the
 * batch and retries the halves until the bad events stand alone: the good ones are delivered, each bad one
 * gets Meta's own error. Transient failures are not split: they say nothing about any one event.
 *
 * <p>Cost: when the left half is accepted the right half must hold a bad event, so it is split without
 * being sent whole; a single bad event in n costs about 1.5·log2(n) extra requests (15 for 1,000).
 */
public final class BisectingBatchSender implements BatchSender {

    private final ConversionsGateway gateway;

    public BisectingBatchSender(ConversionsGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public List<GatewayResult> send(PixelBatch batch) {
        return send(batch, gateway.send(batch));
    }

    /** @param whole Meta's answer to {@code batch} as a whole, already known */
    private List<GatewayResult> send(PixelBatch batch, GatewayResult whole) {
        int size = batch.events().size();
        if (!eventLevelRejection(whole) || size == 1) {
            return Collections.nCopies(size, whole);
        }
        PixelBatch left = part(batch, 0, size / 2);
        PixelBatch right = part(batch, size / 2, size);
        GatewayResult leftResult = gateway.send(left);
        List<GatewayResult> results = new ArrayList<>(size);
        results.addAll(send(left, leftResult));
        if (leftResult.verdict() == GatewayResult.Verdict.DELIVERED) {
            results.addAll(send(right, whole)); // the whole failed and the left is fine: the right is bad
        } else {
            results.addAll(send(right)); // the left had a bad event; the right may or may not
        }
        return results;
    }

    private static boolean eventLevelRejection(GatewayResult result) {
        return result.verdict() == GatewayResult.Verdict.DEAD_LETTER
                && result.errorClass() == ErrorClass.META_REJECTED;
    }

    private static PixelBatch part(PixelBatch batch, int from, int to) {
        return new PixelBatch(batch.pixelId(), batch.testEventCode(), batch.events().subList(from, to));
    }
}
