package ai.track.capidispatch.dispatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Meta rejects a whole request when one event in it is invalid. When that happens this sender splits the
 * batch and retries parts until the bad events stand alone: the good ones are delivered, each bad one gets
 * Meta's own error. Transient failures are not split: they say nothing about any one event.
 *
 * <p>Most rejected batches hold a single bad event, so the search is built for that case. It halves the
 * suspects and sends only the left half: accepted, the right half must hold the bad event and is split
 * without being sent; rejected, the search goes on in the left half and the right half waits, unsent. Once
 * the bad event stands alone, everything that waited goes out in one request. One bad event in n costs
 * {@code ceil(log2 n) + 1} extra requests (11 for 1,000). When that last request is rejected too, there was
 * more than one bad event, and each waiting part is halved on its own, both halves sent at every level, which
 * bounds the worst case (every event bad) at about 2n requests.
 */
public final class BisectingBatchSender implements BatchSender {

    private final ConversionsGateway gateway;

    public BisectingBatchSender(ConversionsGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public List<GatewayResult> send(PixelBatch batch) {
        GatewayResult[] results = new GatewayResult[batch.events().size()];
        Part all = new Part(batch, IntStream.range(0, batch.events().size()).boxed().toList(), results);
        searchForOneBadEvent(all, gateway.send(all.batch()));
        return Arrays.asList(results);
    }

    /** @param whole Meta's answer to {@code suspects} as a whole, already known */
    private void searchForOneBadEvent(Part suspects, GatewayResult whole) {
        List<Part> waiting = new ArrayList<>();
        GatewayResult known = whole;
        while (eventLevelRejection(known) && suspects.size() > 1) {
            Part left = suspects.firstHalf();
            Part right = suspects.secondHalf();
            GatewayResult leftResult = gateway.send(left.batch());
            if (leftResult.verdict() == GatewayResult.Verdict.DELIVERED) {
                left.settle(leftResult);
                suspects = right; // the whole was rejected and the left is fine: the right holds the bad event
            } else if (eventLevelRejection(leftResult)) {
                waiting.add(right);
                suspects = left;
                known = leftResult;
            } else {
                left.settle(leftResult); // e.g. a timeout: the left is retried later, the right is still unknown
                waiting.add(right);
                suspects = null;
                break;
            }
        }
        if (suspects != null) {
            suspects.settle(known);
        }
        if (waiting.isEmpty()) {
            return;
        }
        Part rest = Part.union(waiting);
        GatewayResult restResult = gateway.send(rest.batch());
        if (!eventLevelRejection(restResult)) {
            rest.settle(restResult);
        } else if (waiting.size() == 1) {
            halveSendingBoth(waiting.get(0), restResult);
        } else {
            for (Part part : waiting) {
                halveSendingBoth(part, gateway.send(part.batch()));
            }
        }
    }

    /** Several bad events: every half is sent, so none is searched for twice. */
    private void halveSendingBoth(Part part, GatewayResult whole) {
        if (!eventLevelRejection(whole) || part.size() == 1) {
            part.settle(whole);
            return;
        }
        Part left = part.firstHalf();
        Part right = part.secondHalf();
        GatewayResult leftResult = gateway.send(left.batch());
        halveSendingBoth(left, leftResult);
        if (leftResult.verdict() == GatewayResult.Verdict.DELIVERED) {
            halveSendingBoth(right, whole); // the whole failed and the left is fine: the right is bad
        } else {
            halveSendingBoth(right, gateway.send(right.batch()));
        }
    }

    private static boolean eventLevelRejection(GatewayResult result) {
        return result.verdict() == GatewayResult.Verdict.DEAD_LETTER
                && result.errorClass() == ErrorClass.META_REJECTED;
    }

    /** Some of a batch's events, by position, and where their results go. */
    private record Part(PixelBatch original, List<Integer> positions, GatewayResult[] results) {

        static Part union(List<Part> parts) {
            List<Integer> positions = parts.stream().flatMap(part -> part.positions().stream())
                    .sorted(Comparator.naturalOrder()).toList();
            return new Part(parts.get(0).original(), positions, parts.get(0).results());
        }

        int size() {
            return positions.size();
        }

        Part firstHalf() {
            return new Part(original, positions.subList(0, size() / 2), results);
        }

        Part secondHalf() {
            return new Part(original, positions.subList(size() / 2, size()), results);
        }

        PixelBatch batch() {
            return new PixelBatch(original.pixelId(), original.testEventCode(),
                    positions.stream().map(original.events()::get).toList());
        }

        void settle(GatewayResult result) {
            positions.forEach(position -> results[position] = result);
        }
    }
}
