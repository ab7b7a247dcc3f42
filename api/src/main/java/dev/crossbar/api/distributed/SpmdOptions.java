package dev.crossbar.api.distributed;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Timeouts of an SPMD run.
 *
 * @param collectiveTimeout how long each collective waits for every rank ({@value #COLLECTIVE_TIMEOUT_PROPERTY},
 *     default 60 s)
 * @param totalTimeout how long the whole run may take before every rank is interrupted
 *     ({@value #TOTAL_TIMEOUT_PROPERTY}, default 1 h)
 */
public record SpmdOptions(Duration collectiveTimeout, Duration totalTimeout) {
    /** The system property for {@link #collectiveTimeout()}: seconds ({@code 60}, {@code 0.5}) or ISO-8601 ({@code PT1M}). */
    public static final String COLLECTIVE_TIMEOUT_PROPERTY = "crossbar.collective.timeout";
    /** The system property for {@link #totalTimeout()}, in the same forms. */
    public static final String TOTAL_TIMEOUT_PROPERTY = "crossbar.spmd.timeout";

    private static final Duration DEFAULT_COLLECTIVE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofHours(1);

    /**
     * Checks the timeouts.
     *
     * @param collectiveTimeout the collective timeout, positive
     * @param totalTimeout the total timeout, positive
     */
    public SpmdOptions {
        Objects.requireNonNull(collectiveTimeout, "collectiveTimeout is null");
        Objects.requireNonNull(totalTimeout, "totalTimeout is null");
        if (collectiveTimeout.isNegative() || collectiveTimeout.isZero() || totalTimeout.isNegative() || totalTimeout.isZero()) {
            throw new IllegalArgumentException("SPMD timeouts must be positive, got collective " + collectiveTimeout + " and total " + totalTimeout);
        }
    }

    /**
     * Returns the timeouts set by the system properties {@value #COLLECTIVE_TIMEOUT_PROPERTY} and
     * {@value #TOTAL_TIMEOUT_PROPERTY}, or the defaults (60 s and 1 h).
     *
     * @return the options
     * @throws IllegalArgumentException if a property is set but is not a duration
     */
    public static SpmdOptions defaults() {
        return new SpmdOptions(
                parse(COLLECTIVE_TIMEOUT_PROPERTY, System.getProperty(COLLECTIVE_TIMEOUT_PROPERTY), DEFAULT_COLLECTIVE_TIMEOUT),
                parse(TOTAL_TIMEOUT_PROPERTY, System.getProperty(TOTAL_TIMEOUT_PROPERTY), DEFAULT_TOTAL_TIMEOUT));
    }

    /**
     * Returns these options with another collective timeout.
     *
     * @param timeout the timeout, positive
     * @return the new options
     */
    public SpmdOptions withCollectiveTimeout(Duration timeout) {
        return new SpmdOptions(timeout, totalTimeout);
    }

    /**
     * Returns these options with another total timeout.
     *
     * @param timeout the timeout, positive
     * @return the new options
     */
    public SpmdOptions withTotalTimeout(Duration timeout) {
        return new SpmdOptions(collectiveTimeout, timeout);
    }

    /**
     * Parses a duration setting: a number of seconds ({@code 60}, {@code 0.25}) or an ISO-8601 duration
     * ({@code PT1M}).
     *
     * @param key the setting's name, for the error message
     * @param value the value, or null when unset
     * @param fallback the value when unset
     * @return the duration
     * @throws IllegalArgumentException if the value is neither form
     */
    public static Duration parse(String key, String value, Duration fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.strip();
        try {
            if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
                return Duration.parse(v);
            }
            return Duration.ofNanos(Math.round(Double.parseDouble(v) * 1e9));
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s must be seconds (such as 60 or 0.5) or an ISO-8601 duration (such as PT1M), got '%s'", key, value), e);
        }
    }
}
