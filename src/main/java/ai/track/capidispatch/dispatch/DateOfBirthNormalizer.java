package ai.track.capidispatch.dispatch;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Meta's {@code db}: {@code YYYYMMDD}, a real calendar date with a year from 1900 to the current year.
 *
 * <p>Accepted inputs: {@code YYYYMMDD}; year first with {@code -}, {@code /} or {@code .} ({@code 1997-02-16});
 * slashed year last ({@code 2/16/1997}, Meta's vector) and dotted year last ({@code 16.02.1997}, the
 * European form). Slashed dates are read as US month/day; only when the first number cannot be a month
 * ({@code 16/2/1997}) is it read as day/month. That guess is wrong for a European {@code 3/4/1997}, but it is
 * Meta's own example form and capi-param-builder guesses the same way. Anything else, including
 * {@code 02-16-1997}, is dropped rather than guessed.
 */
final class DateOfBirthNormalizer {

    private static final int FIRST_YEAR = 1900;
    private static final int MONTHS = 12;

    private static final Pattern COMPACT = Pattern.compile("(\\d{4})(\\d{2})(\\d{2})");
    private static final Pattern YEAR_FIRST = Pattern.compile("(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})");
    private static final Pattern SLASHED_YEAR_LAST = Pattern.compile("(\\d{1,2})/(\\d{1,2})/(\\d{4})");
    private static final Pattern DOTTED_YEAR_LAST = Pattern.compile("(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})");

    private final Clock clock;

    DateOfBirthNormalizer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@code YYYYMMDD}, or {@code ""} when the value is not a date we can read or not a plausible birth date. */
    String normalize(String value) {
        String date = value.strip();
        Matcher m;
        if ((m = COMPACT.matcher(date)).matches()) {
            return format(number(m, 1), number(m, 2), number(m, 3));
        }
        if ((m = YEAR_FIRST.matcher(date)).matches()) {
            return format(number(m, 1), number(m, 3), number(m, 4));
        }
        if ((m = SLASHED_YEAR_LAST.matcher(date)).matches()) {
            int first = number(m, 1);
            int second = number(m, 2);
            boolean dayFirst = first > MONTHS && second <= MONTHS;
            return dayFirst ? format(number(m, 3), second, first) : format(number(m, 3), first, second);
        }
        if ((m = DOTTED_YEAR_LAST.matcher(date)).matches()) {
            return format(number(m, 3), number(m, 2), number(m, 1));
        }
        return "";
    }

    private String format(int year, int month, int day) {
        if (year < FIRST_YEAR || year > LocalDate.now(clock).getYear()) {
            return "";
        }
        try {
            LocalDate date = LocalDate.of(year, month, day);
            return String.format("%04d%02d%02d", date.getYear(), date.getMonthValue(), date.getDayOfMonth());
        } catch (DateTimeException notACalendarDate) {
            return "";
        }
    }

    private static int number(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }
}
