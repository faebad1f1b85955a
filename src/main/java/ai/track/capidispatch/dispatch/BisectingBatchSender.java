package ai.track.capidispatch.dispatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Meta rejects a whole request when one event in it is invalid. When that happens this sender splits the
 * batch and retries parts until the bad events stand alone: the good ones are delivered, each bad one gets
 * Meta's own error. Transient failures and holds are not split: they say nothing about any one event, and
 * splitting would only multiply the requests that meet the same answer.
 *
 * <p>Most rejected batches hold a single bad event, so the search is built for that case. It halves the
 * suspects and sends only the left half: accepted, the right half must hold the bad event and is split
 * without being sent; rejected, the search goes on in the left half and the right half waits, unsent. Once
 * the bad event stands alone, everything that waited goes out in one request. One bad event in n costs
 * {@code ceil(log2 n) + 1} extra requests (11 for 1,000). When that last request is rejected too, there was
 * more than one bad event, and each waiting part is halved on its own, both halves sent at every level, which
 * bounds the worst case (every event bad) at about 2n requests.
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
        return new Splitting(batch).run();
    }

    private static boolean eventLevelRejection(GatewayResult result) {
        return result.verdict() == GatewayResult.Verdict.DEAD_LETTER
                && result.errorClass() == ErrorClass.META_REJECTED;
    }

    private static boolean tooLarge(GatewayResult result) {
        return result.verdict() == GatewayResult.Verdict.HOLD && result.errorClass() == ErrorClass.REQUEST_TOO_LARGE;
    }

    private static boolean delivered(GatewayResult result) {
        return result.verdict() == GatewayResult.Verdict.DELIVERED;
    }

    /** The splitting of one batch: its results by position, and whether a lone event was already too large. */
    private final class Splitting {

        private final PixelBatch batch;
        private final GatewayResult[] results;
        /** The answer to a single event refused as too large, once there was one; then nothing more is sent. */
        private GatewayResult refusedAlone;

        Splitting(PixelBatch batch) {
            this.batch = batch;
            this.results = new GatewayResult[batch.events().size()];
        }

        List<GatewayResult> run() {
            Part all = new Part(IntStream.range(0, results.length).boxed().toList());
            resolve(all, send(all));
            return Arrays.asList(results);
        }

        /** @param answer the answer to {@code part} as a whole, already known */
        private void resolve(Part part, GatewayResult answer) {
            if (part.size() > 1 && tooLarge(answer)) {
                // The size is at fault, not an event: either half may fit, so both are sent.
                Part left = part.firstHalf();
                resolve(left, send(left));
                Part right = part.secondHalf();
                resolve(right, send(right));
            } else if (part.size() > 1 && eventLevelRejection(answer)) {
                searchForOneBadEvent(part, answer);
            } else {
                if (tooLarge(answer)) {
                    refusedAlone = answer;
                }
                part.settle(answer);
            }
        }

        /** @param whole the rejection of {@code suspects} as a whole */
        private void searchForOneBadEvent(Part suspects, GatewayResult whole) {
            List<Part> waiting = new ArrayList<>();
            GatewayResult known = whole;
            while (suspects != null && suspects.size() > 1) {
                Part left = suspects.firstHalf();
                Part right = suspects.secondHalf();
                GatewayResult leftResult = send(left);
                if (eventLevelRejection(leftResult)) {
                    waiting.add(right);
                    suspects = left;
                    known = leftResult;
                    continue;
                }
                resolve(left, leftResult); // delivered, or split for size, or held / retried as it is
                if (left.allDelivered()) {
                    suspects = right; // the whole was rejected and the left is fine: the right holds the bad event
                } else {
                    waiting.add(right); // e.g. a timeout on the left: the right is still unknown
                    suspects = null;
                }
            }
            if (suspects != null) {
                suspects.settle(known);
            }
            if (waiting.isEmpty()) {
                return;
            }
            Part rest = new Part(waiting.stream().flatMap(part -> part.positions.stream())
                    .sorted(Comparator.naturalOrder()).toList());
            GatewayResult restResult = send(rest);
            if (!eventLevelRejection(restResult)) {
                resolve(rest, restResult);
            } else if (waiting.size() == 1) {
                halveSendingBoth(waiting.get(0), restResult);
            } else {
                for (Part part : waiting) {
                    halveSendingBoth(part, send(part));
                }
            }
        }

        /** Several bad events: every half is sent, so none is searched for twice. */
        private void halveSendingBoth(Part part, GatewayResult whole) {
            if (!eventLevelRejection(whole) || part.size() == 1) {
                resolve(part, whole);
                return;
            }
            Part left = part.firstHalf();
            Part right = part.secondHalf();
            GatewayResult leftResult = send(left);
            halveSendingBoth(left, leftResult);
            if (delivered(leftResult)) {
                halveSendingBoth(right, whole); // the whole failed and the left is fine: the right is bad
            } else {
                halveSendingBoth(right, send(right));
            }
        }

        private GatewayResult send(Part part) {
            return refusedAlone != null ? refusedAlone : gateway.send(part.of(batch));
        }

        /** Some of the batch's events, by position. */
        private final class Part {

            private final List<Integer> positions;

            Part(List<Integer> positions) {
                this.positions = positions;
            }

            int size() {
                return positions.size();
            }

            Part firstHalf() {
                return new Part(positions.subList(0, size() / 2));
            }

            Part secondHalf() {
                return new Part(positions.subList(size() / 2, size()));
            }

            PixelBatch of(PixelBatch whole) {
                return new PixelBatch(whole.pixelId(), whole.testEventCode(),
                        positions.stream().map(whole.events()::get).toList());
            }

            boolean allDelivered() {
                return positions.stream().allMatch(position -> delivered(results[position]));
            }

            void settle(GatewayResult result) {
                positions.forEach(position -> results[position] = result);
            }
        }
    }
}
