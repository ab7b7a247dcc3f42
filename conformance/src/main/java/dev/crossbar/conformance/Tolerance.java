package dev.crossbar.conformance;

import dev.crossbar.api.DType;
import java.util.Locale;

/**
 * How far a backend's result may be from the double-precision reference: {@code |got - expected| <= absolute +
 * relative * magnitude}, where the magnitude is {@code |expected|} for element-wise ops and the sum of the absolute
 * terms for sums and matrix products (so cancellation does not make the bound meaningless). NaN must meet NaN and
 * an infinity the same infinity; those are never within a tolerance.
 *
 * <p>Every tolerance of the suite is stated here, once per element type.
 *
 * @param relative the allowed error relative to the magnitude
 * @param absolute the allowed error independent of the magnitude
 */
public record Tolerance(double relative, double absolute) {
    /** Integers and BOOL compare exactly. */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    /**
     * Returns the tolerance of the basic arithmetic ops (add, sub, mul, div, neg, abs, max, min, comparisons are
     * exact anyway) and of the terms of sums and products.
     *
     * @param dtype the element type of the result
     * @return the tolerance
     */
    public static Tolerance of(DType dtype) {
        return switch (dtype) {
            // Correctly rounded results are within half an ulp (1.1e-16); 1e-12 leaves room for a different but
            // reasonable evaluation order.
            case F64 -> new Tolerance(1e-12, Double.MIN_NORMAL);
            // Half an ulp is 6e-8; 1e-6 (about 8 ulp) admits fused multiply-add and reassociation, nothing more.
            // The absolute part, the smallest normal, admits flushing subnormal results to zero as GPUs do.
            case F32 -> new Tolerance(1e-6, Float.MIN_NORMAL);
            // Half an ulp is 4.9e-4; computing in F32 and rounding once stays below 1e-3.
            case F16 -> new Tolerance(1e-3, 0x1p-14);
            // Half an ulp is 3.9e-3 (7 mantissa bits); computing in F32 and rounding once stays below 8e-3.
            case BF16 -> new Tolerance(8e-3, Float.MIN_NORMAL);
            // Integer arithmetic is exact, wrap-around included; BOOL results are 0 or 1.
            case I8, I32, I64, BOOL -> EXACT;
            // No op computes in the FP8 storage types: fill, cast and the layout ops are exact by definition.
            case F8E4M3FN, F8E5M2 -> EXACT;
        };
    }

    /**
     * Returns the tolerance of the transcendental ops (exp, log, sqrt, rsqrt, tanh, logistic, sin, cos, erf, pow)
     * and of the rng transforms, which vectorized math libraries compute to a few ulp rather than correctly rounded.
     *
     * @param dtype the element type of the result
     * @return the tolerance
     */
    public static Tolerance transcendental(DType dtype) {
        return switch (dtype) {
            // Java's Math functions are within 1 ulp; a backend's libm may differ by a few more.
            case F64 -> new Tolerance(1e-12, 1e-15);
            // About 16 ulp relative, plus 1e-6 absolute for results near zero (sin near a multiple of pi), where
            // F32 argument reduction loses relative accuracy.
            case F32 -> new Tolerance(2e-6, 1e-6);
            // F16 and BF16 results are an F32 evaluation rounded once; the absolute part is the F32 one above.
            case F16 -> new Tolerance(1e-3, 1e-6);
            case BF16 -> new Tolerance(8e-3, 1e-6);
            case I8, I32, I64, BOOL, F8E4M3FN, F8E5M2 -> EXACT;
        };
    }

    /**
     * Widens the relative part for a result that sums {@code terms} rounded values: rounding errors of a sum grow with
     * the square root of the number of terms for blocked and tree summation (Higham, Accuracy and Stability of
     * Numerical Algorithms, 2nd ed., section 4.2), and the magnitude is the sum of the absolute terms.
     *
     * @param terms the reduction length, such as the summed elements or the matmul's k
     * @return the widened tolerance
     */
    public Tolerance forReductionOf(long terms) {
        return new Tolerance(relative * Math.sqrt(Math.max(terms, 1)), absolute);
    }

    /**
     * Tells whether a result is within this tolerance of the reference.
     *
     * @param expected the reference value
     * @param got the backend's value
     * @param magnitude the scale the relative part applies to
     * @return true when acceptable
     */
    public boolean accepts(double expected, double got, double magnitude) {
        if (Double.isNaN(expected) || Double.isNaN(got)) {
            return Double.isNaN(expected) && Double.isNaN(got);
        }
        if (Double.isInfinite(expected) || Double.isInfinite(got)) {
            return expected == got;
        }
        return Math.abs(got - expected) <= absolute + relative * magnitude;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "rel %.1e abs %.1e", relative, absolute);
    }
}
