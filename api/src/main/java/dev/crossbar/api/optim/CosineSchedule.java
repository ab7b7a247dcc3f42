package dev.crossbar.api.optim;

import java.util.Locale;

/**
 * Linear warmup from 0 to the peak rate over {@code warmupSteps}, then cosine decay to {@code minimum} at
 * {@code totalSteps}, constant after.
 *
 * @param peak the rate at the end of warmup
 * @param minimum the rate at the end of decay
 * @param warmupSteps steps of linear warmup
 * @param totalSteps the step where decay ends
 */
public record CosineSchedule(double peak, double minimum, long warmupSteps, long totalSteps) {

    /**
     * Checks the schedule.
     *
     * @param peak the peak rate
     * @param minimum the final rate
     * @param warmupSteps warmup steps
     * @param totalSteps total steps
     */
    public CosineSchedule {
        if (warmupSteps < 0 || totalSteps < warmupSteps || minimum < 0 || peak < minimum) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "CosineSchedule needs 0 <= warmup (%d) <= total (%d) and 0 <= minimum (%s) <= peak (%s)", warmupSteps, totalSteps, minimum, peak));
        }
    }

    /**
     * Returns the rate for a step.
     *
     * @param step the 0-based step
     * @return the learning rate
     */
    public double rate(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (step >= totalSteps) {
            return minimum;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return minimum + 0.5 * (peak - minimum) * (1 + Math.cos(Math.PI * progress));
    }
}
