package ai.track.capidispatch.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SqsBatchesTest {

    @Test
    void cutsIntoTensInOrder() {
        List<Integer> items = IntStream.range(0, 25).boxed().toList();

        assertThat(SqsBatches.of(items)).extracting(List::size).containsExactly(10, 10, 5);
        assertThat(SqsBatches.of(items).get(2)).containsExactly(20, 21, 22, 23, 24);
    }

    @Test
    void startsANewBatchBeforeOneWouldGrowPastTheByteLimit() {
        // sizes as bytes: 400 + 500 fit 1,000; 200 would not; then 200 + 700
        List<Integer> sizes = List.of(400, 500, 200, 700, 100);

        assertThat(SqsBatches.of(sizes, Integer::longValue, 1_000))
                .containsExactly(List.of(400, 500), List.of(200, 700, 100));
    }

    @Test
    void putsAnElementOverTheLimitAloneSoOnlyItCanBeRefused() {
        List<Integer> sizes = List.of(10, 2_000, 10, 10);

        assertThat(SqsBatches.of(sizes, Integer::longValue, 1_000))
                .containsExactly(List.of(10), List.of(2_000), List.of(10, 10));
    }

    @Test
    void stillCutsAtTenWhenEveryElementIsSmall() {
        List<Integer> sizes = IntStream.range(0, 12).map(i -> 1).boxed().toList();

        assertThat(SqsBatches.of(sizes, Integer::longValue, SqsBatches.MAX_SEND_BYTES)).extracting(List::size)
                .containsExactly(10, 2);
    }
}
