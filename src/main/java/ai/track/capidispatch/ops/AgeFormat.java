package ai.track.capidispatch.ops;

import java.time.Duration;

/** Ages for people: the two largest units, {@code 3d 4h}, {@code 2h 5m}, {@code 45s}. */
final class AgeFormat {

    private AgeFormat() {
    }

    static String of(Duration age) {
        long seconds = Math.max(0, age.toSeconds());
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3_600;
        long minutes = seconds % 3_600 / 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        return minutes > 0 ? minutes + "m " + seconds % 60 + "s" : seconds + "s";
    }
}
