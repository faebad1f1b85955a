package ai.track.capidispatch.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code dlq inspect} learns from the messages it scanned: per {@code capi-error-class}, and per class and
 * reason ({@code capi-error-message}). Reasons are the worker's words (no customer data, contract §4), cut to
 * {@link #MAX_REASON_LENGTH}; bodies are only read for the event time.
 */
final class DlqSummary {

    static final int SAMPLE_REASONS = 3;
    static final int MAX_REASON_LENGTH = 200;

    private final Map<String, ClassSummary> classes = new HashMap<>();
    private final Map<ReasonKey, ReasonSummary> reasons = new HashMap<>();
    private final EventWindow window = new EventWindow();

    void add(DlqMessage message, Instant now) {
        String reason = shortened(message.errorMessage());
        boolean expired = window.eventTime(message.body()).filter(time -> EventWindow.isExpired(time, now))
                .isPresent();
        classes.computeIfAbsent(message.errorClass(), ClassSummary::new).add(message, reason, expired);
        reasons.computeIfAbsent(new ReasonKey(message.errorClass(), reason), ReasonSummary::new).add(message);
    }

    /** Largest class first. */
    List<ClassSummary> classes() {
        List<ClassSummary> sorted = new ArrayList<>(classes.values());
        sorted.sort(Comparator.comparingInt(ClassSummary::messages).reversed()
                .thenComparing(ClassSummary::errorClass));
        return sorted;
    }

    /** Most frequent reason first. */
    List<ReasonSummary> reasons() {
        List<ReasonSummary> sorted = new ArrayList<>(reasons.values());
        sorted.sort(Comparator.comparingInt(ReasonSummary::messages).reversed()
                .thenComparing(summary -> summary.key().errorClass())
                .thenComparing(summary -> summary.key().reason() == null ? "" : summary.key().reason()));
        return sorted;
    }

    private static String shortened(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_LENGTH) {
            return reason;
        }
        return reason.substring(0, MAX_REASON_LENGTH) + "…";
    }

    /** @param reason {@code null} when the message has no {@code capi-error-message} */
    record ReasonKey(String errorClass, String reason) {
    }

    /** Messages, the oldest of them and Meta's codes: what both groupings count. */
    abstract static class Group {
        private int messages;
        private Instant oldest;
        private final Map<String, Integer> errorCodes = new TreeMap<>();

        void count(DlqMessage message) {
            messages++;
            if (message.sentAt() != null && (oldest == null || message.sentAt().isBefore(oldest))) {
                oldest = message.sentAt();
            }
            String code = message.errorCode();
            if (code != null) {
                errorCodes.merge(code, 1, Integer::sum);
            }
        }

        int messages() {
            return messages;
        }

        /** When the oldest arrived in the DLQ; {@code null} if SQS did not say. */
        Instant oldest() {
            return oldest;
        }

        Duration oldestAge(Instant now) {
            return oldest == null ? null : Duration.between(oldest, now);
        }

        /** Meta's {@code code} or {@code code/subcode}, with how many messages carry it. */
        Map<String, Integer> errorCodes() {
            return errorCodes;
        }
    }

    /** One error class in the DLQ. */
    static final class ClassSummary extends Group {
        private final String errorClass;
        private int expiredEvents;
        private final Set<String> sampleReasons = new LinkedHashSet<>();

        ClassSummary(String errorClass) {
            this.errorClass = errorClass;
        }

        void add(DlqMessage message, String reason, boolean expired) {
            count(message);
            if (expired) {
                expiredEvents++;
            }
            if (reason != null && sampleReasons.size() < SAMPLE_REASONS) {
                sampleReasons.add(reason);
            }
        }

        String errorClass() {
            return errorClass;
        }

        /** Events already past Meta's 7-day window: no redrive can deliver them. */
        int expiredEvents() {
            return expiredEvents;
        }

        Set<String> sampleReasons() {
            return sampleReasons;
        }
    }

    /** One reason within one error class. */
    static final class ReasonSummary extends Group {
        private final ReasonKey key;

        ReasonSummary(ReasonKey key) {
            this.key = key;
        }

        void add(DlqMessage message) {
            count(message);
        }

        ReasonKey key() {
            return key;
        }
    }
}
