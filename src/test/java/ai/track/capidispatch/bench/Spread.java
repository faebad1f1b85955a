package ai.track.capidispatch.bench;

import java.util.List;
import java.util.Locale;

/** One figure measured several times: its median and range, so one noisy run can be told from a real change. */
record Spread(double median, double min, double max) {

    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no measurements");
        }
        List<Double> sorted = values.stream().sorted().toList();
        int size = sorted.size();
        double median = size % 2 == 1 ? sorted.get(size / 2) : (sorted.get(size / 2 - 1) + sorted.get(size / 2)) / 2;
        return new Spread(median, sorted.get(0), sorted.get(size - 1));
    }

    /** {@code median [min-max]}, each number written with {@code number}, e.g. {@code %.0f}. */
    String format(String number) {
        return String.format(Locale.ROOT, number + " [" + number + "-" + number + "]", median, min, max);
    }
}
