package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossbar.api.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The kit's own rounding agrees with the JDK's conversions, an implementation independent of any backend. */
class DTypeValuesTest {

    @Test
    void f16RoundingMatchesTheJdkOnEveryKindOfFloat() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt()); // every exponent, subnormals, NaN and infinities
            double want = Float.float16ToFloat(Float.floatToFloat16(f));
            double got = DTypeValues.round(DType.F16, f);
            assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), () -> "round(F16, " + f + ")");
        }
    }

    @Test
    void f16BitsRoundTripForEveryPattern() {
        for (int bits = 0; bits < 0x10000; bits++) {
            double value = DTypeValues.fromF16Bits((short) bits);
            assertEquals(Float.float16ToFloat((short) bits), (float) value, 0, "bits " + Integer.toHexString(bits));
            if (!Double.isNaN(value)) {
                assertEquals((short) bits, DTypeValues.f16Bits(value), "bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void f32RoundingMatchesTheJavaCast() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 200_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            assertEquals(Double.doubleToLongBits((float) d), Double.doubleToLongBits(DTypeValues.round(DType.F32, d)), () -> "round(F32, " + d + ")");
        }
    }

    @Test
    void halfWidthTypesRoundTiesToEven() {
        assertEquals(1.0, DTypeValues.round(DType.BF16, 1 + 0x1p-8));
        assertEquals(1 + 0x1p-6, DTypeValues.round(DType.BF16, 1 + 3 * 0x1p-8));
        assertEquals(1.0, DTypeValues.round(DType.F16, 1 + 0x1p-11));
        assertEquals(1 + 0x1p-9, DTypeValues.round(DType.F16, 1 + 3 * 0x1p-11));
        assertEquals(0.0, DTypeValues.round(DType.F16, 0x1p-25));
        assertEquals(0x1p-23, DTypeValues.round(DType.F16, 3 * 0x1p-25));
        assertEquals(65504.0, DTypeValues.round(DType.F16, 65519));
        assertEquals(Double.POSITIVE_INFINITY, DTypeValues.round(DType.F16, 65520));
        assertEquals(Double.NEGATIVE_INFINITY, DTypeValues.round(DType.BF16, -0x1p128));
        assertEquals(0x7F80, DTypeValues.bf16Bits(Double.POSITIVE_INFINITY) & 0xFFFF);
    }

    @Test
    void integerConversionTruncatesAndSaturates() {
        assertEquals(-3.0, DTypeValues.round(DType.I32, -3.99));
        assertEquals(127.0, DTypeValues.round(DType.I8, 300.7));
        assertEquals(-128.0, DTypeValues.round(DType.I8, Double.NEGATIVE_INFINITY));
        assertEquals(0.0, DTypeValues.round(DType.I64, Double.NaN));
        assertEquals((double) Integer.MAX_VALUE, DTypeValues.round(DType.I32, 1e10));
        assertEquals(1.0, DTypeValues.round(DType.BOOL, Double.NaN));
        assertEquals(0.0, DTypeValues.round(DType.BOOL, -0.0));
    }

    @Test
    void encodingRejectsValuesTheTypeDoesNotHold() {
        assertThrows(IllegalArgumentException.class, () -> DTypeValues.f16Bits(1 + 0x1p-12));
        assertThrows(IllegalArgumentException.class, () -> DTypeValues.bf16Bits(1 + 0x1p-9));
    }
}
