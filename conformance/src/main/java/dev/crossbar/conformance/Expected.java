package dev.crossbar.conformance;

import java.util.Arrays;

/**
 * A reference result and, per element, the magnitude a {@link Tolerance}'s relative part applies to.
 *
 * @param values the reference result
 * @param magnitudes per element: {@code |value|} for element-wise ops, the sum of the absolute terms for sums and
 *     matrix products
 */
public record Expected(HostArray values, double[] magnitudes) {
    /**
     * Wraps an element-wise result, whose magnitudes are the absolute values.
     *
     * @param values the reference result
     * @return the expectation
     */
    public static Expected elementwise(HostArray values) {
        return new Expected(values, Arrays.stream(values.values()).map(Math::abs).toArray());
    }
}
