package dev.crossbar.conformance;

import dev.crossbar.api.DType;

/**
 * Values of each element type, computed in plain Java and independent of any backend: rounding a double to the nearest
 * value a type holds, the bit encodings of F16 and BF16, and the conversions {@code cast} performs.
 *
 * <p>Floating rounding is IEEE 754 round-to-nearest, ties-to-even, with gradual underflow and overflow to infinity.
 */
public final class DTypeValues {
    private DTypeValues() {
    }

    /**
     * Rounds a value to the nearest value of a type, as {@code cast} from F64 would: floats round to nearest even,
     * integers truncate toward zero and saturate (NaN gives 0), BOOL gives 1 for any value other than 0.
     *
     * @param dtype the target type
     * @param value the value
     * @return the nearest value of {@code dtype}, as a double
     */
    public static double round(DType dtype, double value) {
        return switch (dtype) {
            case F64 -> value;
            case F32 -> roundToBinary(value, 23, -126, 127);
            case F16 -> roundToBinary(value, 10, -14, 15);
            case BF16 -> roundToBinary(value, 7, -126, 127);
            case I8 -> saturate(value, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case I32 -> saturate(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case I64 -> saturate(value, Long.MIN_VALUE, Long.MAX_VALUE);
            case BOOL -> value != 0 ? 1 : 0; // NaN != 0, so NaN is true as in C and PyTorch
        };
    }

    /**
     * Tells whether a type holds a value exactly.
     *
     * @param dtype the type
     * @param value the value
     * @return true when rounding to {@code dtype} leaves it unchanged (NaN counts as held by floating types)
     */
    public static boolean isRepresentable(DType dtype, double value) {
        double r = round(dtype, value);
        return r == value || (Double.isNaN(value) && Double.isNaN(r) && dtype.isFloating());
    }

    /**
     * Encodes a value F16 holds exactly as its 16 bits.
     *
     * @param value an F16 value, for example from {@link #round}
     * @return the bits; NaN gives the quiet NaN {@code 0x7E00}
     * @throws IllegalArgumentException if F16 does not hold the value
     */
    public static short f16Bits(double value) {
        requireRepresentable(DType.F16, value);
        if (Double.isNaN(value)) {
            return (short) 0x7E00;
        }
        int sign = Double.doubleToRawLongBits(value) < 0 ? 0x8000 : 0;
        double a = Math.abs(value);
        if (Double.isInfinite(a)) {
            return (short) (sign | 0x7C00);
        }
        if (a < 0x1p-14) {
            return (short) (sign | (int) (a / 0x1p-24)); // subnormal: the mantissa counts units of 2^-24
        }
        int exponent = Math.getExponent(a);
        int mantissa = (int) ((Math.scalb(a, -exponent) - 1) * 1024);
        return (short) (sign | (exponent + 15) << 10 | mantissa);
    }

    /**
     * Decodes 16 F16 bits.
     *
     * @param bits the bits
     * @return the value
     */
    public static double fromF16Bits(short bits) {
        int b = bits & 0xFFFF;
        double sign = (b & 0x8000) != 0 ? -1 : 1;
        int exponent = (b >>> 10) & 0x1F;
        int mantissa = b & 0x3FF;
        if (exponent == 0x1F) {
            return mantissa == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (exponent == 0) {
            return sign * mantissa * 0x1p-24;
        }
        return sign * Math.scalb(1 + mantissa / 1024.0, exponent - 15);
    }

    /**
     * Encodes a value BF16 holds exactly as its 16 bits, the upper half of the F32 encoding.
     *
     * @param value a BF16 value, for example from {@link #round}
     * @return the bits; NaN gives the quiet NaN {@code 0x7FC0}
     * @throws IllegalArgumentException if BF16 does not hold the value
     */
    public static short bf16Bits(double value) {
        requireRepresentable(DType.BF16, value);
        if (Double.isNaN(value)) {
            return (short) 0x7FC0;
        }
        return (short) (Float.floatToRawIntBits((float) value) >>> 16);
    }

    /**
     * Decodes 16 BF16 bits.
     *
     * @param bits the bits
     * @return the value
     */
    public static double fromBf16Bits(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds to a binary floating format with {@code mantissaBits} stored mantissa bits and normal exponents in
     * {@code [minExponent, maxExponent]}. Scaling by a power of two is exact in double, so {@link Math#rint} (ties to
     * even) on the scaled value is the one rounding step.
     */
    private static double roundToBinary(double value, int mantissaBits, int minExponent, int maxExponent) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) {
            return value;
        }
        double a = Math.abs(value);
        int exponent = Math.max(Math.getExponent(a), minExponent); // below the normal range the quantum stays fixed
        double quantum = Math.scalb(1.0, exponent - mantissaBits);
        double rounded = Math.rint(a / quantum) * quantum;
        if (rounded >= Math.scalb(1.0, maxExponent + 1)) {
            rounded = Double.POSITIVE_INFINITY;
        }
        return Math.copySign(rounded, value);
    }

    private static double saturate(double value, long min, long max) {
        if (Double.isNaN(value)) {
            return 0;
        }
        double truncated = value < 0 ? Math.ceil(value) : Math.floor(value);
        return Math.min(Math.max(truncated, (double) min), (double) max);
    }

    private static void requireRepresentable(DType dtype, double value) {
        if (!isRepresentable(dtype, value)) {
            throw new IllegalArgumentException(value + " is not a " + dtype + " value; round it with DTypeValues.round first");
        }
    }
}
