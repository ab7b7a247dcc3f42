package dev.crossbar.backend.cpu.kernel;

/** Conversions between float, double and the 16-bit formats F16 (IEEE binary16) and BF16, rounding to nearest even. */
public final class HalfFloats {
    private HalfFloats() {
    }

    /**
     * Widens a BF16 value, exactly.
     *
     * @param bits the BF16 bits
     * @return the value
     */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds a float to BF16, to nearest even; NaN stays NaN (quiet, sign kept), overflow gives infinity.
     *
     * @param value the value
     * @return the BF16 bits
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            // Truncating a NaN whose payload sits in the low 16 bits would give infinity: set the quiet bit.
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /**
     * Rounds a double to BF16 once (not twice through float), to nearest even.
     *
     * @param value the value
     * @return the BF16 bits
     */
    public static short doubleToBf16(double value) {
        return floatToBf16(toFloatRoundingToOdd(value));
    }

    /**
     * Rounds a double to F16 once (not twice through float), to nearest even.
     *
     * @param value the value
     * @return the F16 bits
     */
    public static short doubleToF16(double value) {
        return Float.floatToFloat16(toFloatRoundingToOdd(value));
    }

    /**
     * Narrows a double to float rounding to odd, so that a second rounding to nearest even into a format with at
     * least two fewer significand bits gives the correctly rounded result (Boldo and Melquiond, "Emulation of FMA and
     * correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 2008).
     */
    private static float toFloatRoundingToOdd(double value) {
        float nearest = (float) value;
        if (Float.isFinite(nearest) && nearest != value && (Float.floatToRawIntBits(nearest) & 1) == 0) {
            return Math.nextAfter(nearest, value);
        }
        return nearest;
    }
}
