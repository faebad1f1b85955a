package ai.track.capidispatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PixelTagsTest {

    @Test
    void givesEachPixelItsOwnValueUpToTheLimitAndFoldsTheRestIntoOther() {
        PixelTags tags = new PixelTags(2, () -> null);

        assertThat(tags.of("111")).isEqualTo("111");
        assertThat(tags.of("222")).isEqualTo("222");
        assertThat(tags.of("333")).isEqualTo(PixelTags.OTHER);
        assertThat(tags.of("111")).as("an admitted pixel keeps its value").isEqualTo("111");
        assertThat(tags.of("444")).isEqualTo(PixelTags.OTHER);
    }

    @Test
    void namesTheSecretsDefaultPixelForAMessageWithoutPixelId() {
        PixelTags tags = new PixelTags(1, () -> "123");

        assertThat(tags.of(null)).isEqualTo("123");
        assertThat(tags.of("123")).as("the same pixel whether named or defaulted").isEqualTo("123");
        assertThat(tags.of("456")).as("the default pixel took the only place").isEqualTo(PixelTags.OTHER);
    }

    @Test
    void foldsAPixelThatCannotBeNamedIntoOther() {
        assertThat(new PixelTags(5, () -> null).of(null)).isEqualTo(PixelTags.OTHER);
        assertThat(new PixelTags(5, () -> {
            throw new IllegalStateException("secret not readable");
        }).of(null)).isEqualTo(PixelTags.OTHER);
    }

    @Test
    void admitsNoMoreThanTheLimitUnderConcurrentFirstSightings() throws Exception {
        PixelTags tags = new PixelTags(10, () -> null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> values = IntStream.range(0, 200)
                    .mapToObj(i -> pool.submit(() -> tags.of(String.valueOf(1000 + i % 50)))).toList();
            Set<String> distinct = values.stream().map(PixelTagsTest::get).collect(Collectors.toSet());

            assertThat(distinct).contains(PixelTags.OTHER).hasSize(10 + 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesALimitBelowOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PixelTags(0, () -> null));
    }

    private static String get(Future<String> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
