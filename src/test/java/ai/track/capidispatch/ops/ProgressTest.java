package ai.track.capidispatch.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private long now = -5_000_000_000L;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printsOnceEachTimeAnotherHundredAreDoneEvenWhenCalledPerMessageOfABatch() {
        Progress progress = lines().total(OptionalLong.of(400));
        for (long done : new long[] {10, 50, 90, 100, 100, 100, 110, 200, 205}) {
            now += Duration.ofMillis(100).toNanos();
            progress.update(done, () -> "at " + done);
        }

        assertThat(printed()).containsExactly("... 100/400 examined  300/s  ETA 0:01  at 100",
                "... 200/400 examined  271/s  ETA 0:01  at 200");
    }

    @Test
    void printsEveryIntervalWhenMessagesAreSlowButNotForStartUpTime() {
        Progress progress = lines();
        progress.update(1, () -> "first");
        now += Duration.ofSeconds(4).toNanos();
        progress.update(2, () -> "not yet");
        now += Duration.ofSeconds(1).toNanos();
        progress.update(3, () -> "five seconds in");

        assertThat(printed()).containsExactly("... 3 examined  0.4/s  ETA unknown  five seconds in");
    }

    @Test
    void givesTheRateAndTheTimeLeftWithThousandsSeparated() {
        Progress progress = lines().total(OptionalLong.of(10_000));
        progress.update(0, () -> "");
        now += Duration.ofSeconds(12).toNanos();
        progress.update(4_200, () -> "moved 4,100, failed 0");

        assertThat(printed()).containsExactly("... 4,200/10,000 examined  350/s  ETA 0:17  moved 4,100, failed 0");
    }

    @Test
    void saysTheTimeLeftIsUnknownOnceTheCountPassesSqssApproximation() {
        Progress progress = lines().total(OptionalLong.of(150));
        progress.update(0, () -> "");
        now += Duration.ofSeconds(10).toNanos();
        progress.update(200, () -> "");

        assertThat(printed()).containsExactly("... 200/150 examined  20/s  ETA unknown");
    }

    @Test
    void writesHoursWhenTheRunIsLong() {
        Progress progress = lines().total(OptionalLong.of(1_000_000));
        progress.update(0, () -> "");
        now += Duration.ofSeconds(100).toNanos();
        progress.update(1_000, () -> "");

        assertThat(printed()).containsExactly("... 1,000/1,000,000 examined  10/s  ETA 27:45:00");
    }

    @Test
    void onATerminalOverwritesOneLineAFewTimesASecondAndErasesItAtTheEnd() {
        Progress progress = new Progress(stream(), "moved", 100, true, 60, () -> now).total(OptionalLong.of(50));
        progress.update(1, () -> "long details at first");
        now += Duration.ofMillis(100).toNanos();
        progress.update(2, () -> "too soon");
        now += Duration.ofMillis(200).toNanos();
        progress.update(3, () -> "short");
        progress.finish();

        String first = "... 1/50 moved  ETA unknown  long details at first";
        String second = "... 3/50 moved  6.7/s  ETA 0:08  short";
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("\r" + first + "\r" + second
                + " ".repeat(first.length() - second.length()) + "\r" + " ".repeat(second.length()) + "\r")
                .doesNotContain("\n", "too soon");
    }

    @Test
    void onATerminalCutsTheLineToTheWidthSoItNeverWraps() {
        Progress progress = new Progress(stream(), "examined", 100, true, 30, () -> now);
        progress.update(12_345, () -> "moved 12,000, expired 300, filtered 45, failed 0");

        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("\r... 12,345 examined  ETA un...");
    }

    @Test
    void clearingErasesTheTerminalLineAndTheNextUpdateDrawsItAgainAtOnce() {
        Progress progress = new Progress(stream(), "lines", 100, true, 79, () -> now);
        progress.update(1, () -> "");
        progress.clear();
        err.reset();
        now += Duration.ofMillis(10).toNanos();
        progress.update(2, () -> "");

        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("\r... 2 lines  ETA unknown");
    }

    @Test
    void clearingWritesNothingWhereLinesAreNotOverwritten() {
        Progress progress = lines();
        progress.update(1, () -> "");
        progress.clear();
        progress.finish();

        assertThat(err.size()).isZero();
    }

    @Test
    void takesTheWidthFromColumnsWhenTheShellExportsIt() {
        assertThat(Progress.terminalWidth("120")).isEqualTo(119);
        assertThat(Progress.terminalWidth(null)).isEqualTo(Progress.DEFAULT_WIDTH);
        assertThat(Progress.terminalWidth("wide")).isEqualTo(Progress.DEFAULT_WIDTH);
    }

    private Progress lines() {
        return new Progress(stream(), "examined", 100, false, 79, () -> now);
    }

    private PrintStream stream() {
        return new PrintStream(err, true, StandardCharsets.UTF_8);
    }

    private String[] printed() {
        String text = err.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? new String[0] : text.split("\\R");
    }
}
