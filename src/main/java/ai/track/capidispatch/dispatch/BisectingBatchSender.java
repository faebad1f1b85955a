package ai.track.capidispatch.dispatch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Meta rejects a whole request when one event in it is invalid. When that happens this sender splits the
 * batch and retries the halves until the bad events stand alone: the good ones are delivered, each bad one
 * gets Meta's own error. Transient failures and holds are not split: they say nothing about any one event,
 * and splitting would only multiply the requests that meet the same answer.
 *
 * <p>Cost: when the left half is accepted the right half must hold a bad event, so it is split without
 * being sent whole; a single bad event in n costs about 1.5·log2(n) extra requests (15 for 1,000).
 *
 * <p>The one hold that is split is {@link ErrorClass#REQUEST_TOO_LARGE}: a 413 without Meta's error object, a
 * proxy's or gateway's body-size limit. Smaller requests get under it, so both halves are sent, each split again
 * while it is still too large. If a single event is refused, the limit is below one event: the event is held,
 * and so is every part of the batch not yet sent, unsent. That bounds a hop that refuses everything to one
 * descent, about log2(n) + 1 requests (11 for 1,000) instead of 2n - 1.
 */
public final class BisectingBatchSender implements BatchSender {

    private final ConversionsGateway gateway;

    public BisectingBatchSender(ConversionsGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public List<GatewayResult> send(PixelBatch batch) {
        return new Bisection().send(batch);
    }

    private static boolean eventLevelRejection(GatewayResult result) {
        return result.verdict() == GatewayResult.Verdict.DEAD_LETTER
                && result.errorClass() == ErrorClass.META_REJECTED;
    }

    private static boolean tooLarge(GatewayResult result) {
        return result.verdict() == GatewayResult.Verdict.HOLD && result.errorClass() == ErrorClass.REQUEST_TOO_LARGE;
    }

    private static PixelBatch part(PixelBatch batch, int from, int to) {
        return new PixelBatch(batch.pixelId(), batch.testEventCode(), batch.events().subList(from, to));
    }

    /** The splitting of one batch. Not shared: it remembers whether a lone event was already too large. */
    private final class Bisection {

        /** The answer to a single event refused as too large, once there was one; then nothing more is sent. */
        private GatewayResult refusedAlone;

        List<GatewayResult> send(PixelBatch batch) {
            if (refusedAlone != null) {
                return Collections.nCopies(batch.events().size(), refusedAlone);
            }
            return send(batch, gateway.send(batch));
        }

        /** @param whole Meta's answer to {@code batch} as a whole, already known */
        private List<GatewayResult> send(PixelBatch batch, GatewayResult whole) {
            int size = batch.events().size();
            if (size == 1) {
                if (tooLarge(whole)) {
                    refusedAlone = whole;
                }
                return List.of(whole);
            }
            PixelBatch left = part(batch, 0, size / 2);
            PixelBatch right = part(batch, size / 2, size);
            if (tooLarge(whole)) {
                // The size is at fault, not an event: either half may fit, so both are sent.
                List<GatewayResult> results = new ArrayList<>(size);
                results.addAll(send(left));
                results.addAll(send(right));
                return results;
            }
            if (!eventLevelRejection(whole)) {
                return Collections.nCopies(size, whole);
            }
            List<GatewayResult> results = new ArrayList<>(size);
            results.addAll(send(left));
            if (results.stream().allMatch(result -> result.verdict() == GatewayResult.Verdict.DELIVERED)) {
                results.addAll(send(right, whole)); // the whole failed and the left is fine: the right is bad
            } else {
                results.addAll(send(right)); // the left had a bad event; the right may or may not
            }
            return results;
        }
    }
}
