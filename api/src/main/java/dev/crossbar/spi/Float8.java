package dev.crossbar.spi;

import dev.crossbar.api.DType;
import java.util.Locale;

/**
 * The bit encodings of the OCP 8-bit floating point formats ("OCP 8-bit Floating Point Specification (OFP8)", 2023):
 * {@link DType#F8E4M3FN} and {@link DType#F8E5M2}, and the one conversion into them every backend follows.
 *
 * <p>Conversion rounds the exact value to nearest, ties to even, with gradual underflow. It does not saturate, as
 * XLA's {@code convert} and PyTorch's {@code to(torch.float8_e4m3fn)} do not: a value whose rounding exceeds the
 * largest finite value gives NaN in E4M3FN, which has no infinities (so 464, the midpoint between 448 and the missing
 * 480, rounds to the even 448, and anything above it to NaN), and infinity in E5M2 (values from 61440 up). Infinities
 * convert to NaN in E4M3FN and to infinity in E5M2; NaN stays NaN with its sign. Scaled FP8 (dividing by a scale
 * before the cast so nothing overflows) is the caller's job, as with {@code torch._scaled_mm}.
 */
public final class Float8 {
    private Float8() {
    }

    /**
     * Rounds a value to the nearest value of an FP8 format and returns its bits.
     *
     * @param format {@link DType#F8E4M3FN} or {@link DType#F8E5M2}
     * @param value the value, converted exactly (a float widens to double without loss)
     * @return the 8 bits
     * @throws IllegalArgumentException if {@code format} is not an FP8 type
     */
    public static byte encode(DType format, double value) {
        Layout f = Layout.of(format);
        int sign = Double.doubleToRawLongBits(value) < 0 ? 0x80 : 0;
        if (Double.isNaN(value)) {
            return (byte) (sign | f.nan);
        }
        double magnitude = Math.abs(value);
        if (Double.isInfinite(magnitude)) {
            return (byte) (sign | f.overflow);
        }
        int minExponent = 1 - f.bias;
        int bits;
        if (magnitude < Math.scalb(1.0, minExponent)) {
            // Subnormal: a count of the smallest quantum; a count of 2^m carries into the smallest normal exponent.
            bits = (int) Math.rint(magnitude / Math.scalb(1.0, minExponent - f.mantissaBits));
        } else {
            int exponent = Math.getExponent(magnitude);
            if (exponent + f.bias > f.maxFiniteBits >>> f.mantissaBits) {
                return (byte) (sign | f.overflow);
            }
            // Scaling by a power of two and subtracting 1 are exact in double, so rint is the single rounding step.
            int mantissa = (int) Math.rint((Math.scalb(magnitude, -exponent) - 1) * (1 << f.mantissaBits));
            bits = ((exponent + f.bias) << f.mantissaBits) + mantissa; // a mantissa of 2^m carries into the exponent
        }
        return (byte) (sign | (bits > f.maxFiniteBits ? f.overflow : bits));
    }

    /**
     * Returns the value of FP8 bits; every FP8 value is a float exactly.
     *
     * @param format {@link DType#F8E4M3FN} or {@link DType#F8E5M2}
     * @param bits the 8 bits
     * @return the value: NaN for either format's NaN patterns, an infinity for E5M2's
     * @throws IllegalArgumentException if {@code format} is not an FP8 type
     */
    public static float decode(DType format, byte bits) {
        Layout f = Layout.of(format);
        int b = bits & 0x7F;
        float sign = (bits & 0x80) != 0 ? -1f : 1f;
        int exponentField = b >>> f.mantissaBits;
        int mantissa = b & ((1 << f.mantissaBits) - 1);
        if (b > f.maxFiniteBits) {
            return f.overflow == f.nan || mantissa != 0 ? Float.NaN : sign * Float.POSITIVE_INFINITY;
        }
        if (exponentField == 0) {
            return sign * Math.scalb((float) mantissa, 1 - f.bias - f.mantissaBits);
        }
        return sign * Math.scalb(1f + mantissa / (float) (1 << f.mantissaBits), exponentField - f.bias);
    }

    /**
     * Returns the largest finite value of an FP8 format.
     *
     * @param format {@link DType#F8E4M3FN} or {@link DType#F8E5M2}
     * @return 448 or 57344
     * @throws IllegalArgumentException if {@code format} is not an FP8 type
     */
    public static float maxFinite(DType format) {
        return decode(format, (byte) Layout.of(format).maxFiniteBits);
    }

    /**
     * Returns the number of stored mantissa bits of an FP8 format.
     *
     * @param format {@link DType#F8E4M3FN} or {@link DType#F8E5M2}
     * @return 3 or 2
     * @throws IllegalArgumentException if {@code format} is not an FP8 type
     */
    public static int mantissaBits(DType format) {
        return Layout.of(format).mantissaBits;
    }

    /**
     * Returns the exponent bias of an FP8 format; its smallest normal exponent is {@code 1 - bias}.
     *
     * @param format {@link DType#F8E4M3FN} or {@link DType#F8E5M2}
     * @return 7 or 15
     * @throws IllegalArgumentException if {@code format} is not an FP8 type
     */
    public static int exponentBias(DType format) {
        return Layout.of(format).bias;
    }

    /**
     * The parts of a format: its mantissa width, exponent bias, largest finite pattern, the pattern an overflow gives
     * (NaN or infinity) and its NaN pattern, all without the sign bit.
     */
    private record Layout(int mantissaBits, int bias, int maxFiniteBits, int overflow, int nan) {
        private static final Layout E4M3FN = new Layout(3, 7, 0x7E, 0x7F, 0x7F);
        private static final Layout E5M2 = new Layout(2, 15, 0x7B, 0x7C, 0x7E);

        static Layout of(DType format) {
            return switch (format) {
                case F8E4M3FN -> E4M3FN;
                case F8E5M2 -> E5M2;
                default -> throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s is not an FP8 type; Float8 converts F8E4M3FN and F8E5M2 only", format));
            };
        }
    }
}
