package dev.crossbar.conformance;

import dev.crossbar.api.DType;

/**
 * Values of each element type, computed in plain Java and independent of any backend: rounding a double to the nearest
 * value a type holds, the bit encodings of F16 and BF16, and the conversions {@code cast} performs.
 *
 * <p>Floating rounding is IEEE 754 round-to-nearest, ties-to-even, with gradual underflow and overflow to infinity;
 * F8E4M3FN, which has no infinities, gives NaN where the rounded value would exceed its largest value 448 (XLA's
 * {@code convert} and PyTorch do not saturate). The FP8 encodings follow the OCP 8-bit floating point specification and
 * are written here from it, apart from the api's {@link dev.crossbar.spi.Float8}, which the backends use.
 */
public final class DTypeValues {
    /** The largest F8E4M3FN value, 1.75 * 2^8: the exponent field 1111 with mantissa 111 is NaN. */
    private static final double F8E4M3FN_MAX = 448;

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
            case F8E4M3FN -> {
                double rounded = roundToBinary(value, 3, -6, 8);
                yield Math.abs(rounded) > F8E4M3FN_MAX ? Double.NaN : rounded;
            }
            case F8E5M2 -> roundToBinary(value, 2, -14, 15);
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
        return (short) binaryBits(value, 16, 10, 15, 0x7E00, 0x7C00);
    }

    /**
     * Decodes 16 F16 bits.
     *
     * @param bits the bits
     * @return the value
     */
    public static double fromF16Bits(short bits) {
        return fromBinaryBits(bits & 0xFFFF, 16, 10, 15, true);
    }

    /**
     * Encodes a value an FP8 type holds exactly as its 8 bits.
     *
     * @param dtype {@link DType#F8E4M3FN} or {@link DType#F8E5M2}
     * @param value a value of that type, for example from {@link #round}
     * @return the bits; NaN gives {@code 0x7F} (NaN in both formats)
     * @throws IllegalArgumentException if the type does not hold the value, or is not an FP8 type
     */
    public static byte f8Bits(DType dtype, double value) {
        requireRepresentable(dtype, value);
        return switch (dtype) {
            case F8E4M3FN -> (byte) binaryBits(value, 8, 3, 7, 0x7F, 0x7F);
            case F8E5M2 -> (byte) binaryBits(value, 8, 2, 15, 0x7F, 0x7C);
            default -> throw new IllegalArgumentException(dtype + " is not an FP8 type");
        };
    }

    /**
     * Decodes 8 FP8 bits.
     *
     * @param dtype {@link DType#F8E4M3FN} or {@link DType#F8E5M2}
     * @param bits the bits
     * @return the value
     * @throws IllegalArgumentException if the type is not an FP8 type
     */
    public static double fromF8Bits(DType dtype, byte bits) {
        return switch (dtype) {
            // E4M3FN spends the all-ones exponent on normal values; only S.1111.111 is NaN.
            case F8E4M3FN -> (bits & 0x7F) == 0x7F ? Double.NaN : fromBinaryBits(bits & 0xFF, 8, 3, 7, false);
            case F8E5M2 -> fromBinaryBits(bits & 0xFF, 8, 2, 15, true);
            default -> throw new IllegalArgumentException(dtype + " is not an FP8 type");
        };
    }

    /**
     * Encodes a value of a {@code width}-bit binary format with a sign bit, {@code mantissaBits} stored mantissa bits
     * and an exponent bias: subnormals count units of the smallest quantum, normals store exponent + bias and the
     * fraction. Infinity takes {@code infinityBits}, which is never asked of E4M3FN since no value of it is infinite.
     */
    private static int binaryBits(double value, int width, int mantissaBits, int bias, int nanBits, int infinityBits) {
        if (Double.isNaN(value)) {
            return nanBits;
        }
        int sign = Double.doubleToRawLongBits(value) < 0 ? 1 << (width - 1) : 0;
        double a = Math.abs(value);
        if (Double.isInfinite(a)) {
            return sign | infinityBits;
        }
        int minExponent = 1 - bias;
        if (a < Math.scalb(1.0, minExponent)) {
            return sign | (int) (a / Math.scalb(1.0, minExponent - mantissaBits));
        }
        int exponent = Math.getExponent(a);
        int mantissa = (int) ((Math.scalb(a, -exponent) - 1) * (1 << mantissaBits));
        return sign | (exponent + bias) << mantissaBits | mantissa;
    }

    /** Decodes {@code width} bits of a binary format; with {@code ieeeSpecials} the all-ones exponent is infinity or NaN. */
    private static double fromBinaryBits(int bits, int width, int mantissaBits, int bias, boolean ieeeSpecials) {
        double sign = (bits >>> (width - 1)) != 0 ? -1 : 1;
        int exponentMask = (1 << (width - 1 - mantissaBits)) - 1;
        int exponent = (bits >>> mantissaBits) & exponentMask;
        int mantissa = bits & ((1 << mantissaBits) - 1);
        if (ieeeSpecials && exponent == exponentMask) {
            return mantissa == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (exponent == 0) {
            return sign * Math.scalb((double) mantissa, 1 - bias - mantissaBits);
        }
        return sign * Math.scalb(1 + mantissa / (double) (1 << mantissaBits), exponent - bias);
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
