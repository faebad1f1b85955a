package ai.track.capidispatch.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private long now = -5_000_000_000L;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Progress progress = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), 100,
            Duration.ofSeconds(5), () -> now);

    @Test
    void printsOnceEachTimeAnotherHundredAreDoneEvenWhenCalledPerMessageOfABatch() {
        for (long scanned : new long[] {10, 50, 90, 100, 100, 100, 110, 200, 205}) {
            progress.update(scanned, () -> "at " + scanned);
        }

        assertThat(lines()).containsExactly("... at 100", "... at 200");
    }

    @Test
    void printsEveryIntervalWhenMessagesAreSlowButNotForStartUpTime() {
        progress.update(1, () -> "first");
        now += Duration.ofSeconds(4).toNanos();
        progress.update(2, () -> "not yet");
        now += Duration.ofSeconds(1).toNanos();
        progress.update(3, () -> "five seconds in");

        assertThat(lines()).containsExactly("... five seconds in");
    }

    private String[] lines() {
        String text = err.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? new String[0] : text.split("\\R");
    }
}
