package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /** Encodings worked out by hand from the OCP FP8 specification: value, type, bits. */
    @ParameterizedTest(name = "{1}: {0} is {2}")
    @CsvSource({
        "448, F8E4M3FN, 0x7E", "-448, F8E4M3FN, 0xFE", "0x1p-6, F8E4M3FN, 0x08", "0x1p-9, F8E4M3FN, 0x01", "0x1.cp-7, F8E4M3FN, 0x07",
        "-0.0, F8E4M3FN, 0x80", "0, F8E4M3FN, 0x00", "1, F8E4M3FN, 0x38", "-2.75, F8E4M3FN, 0xC3", "NaN, F8E4M3FN, 0x7F",
        "57344, F8E5M2, 0x7B", "-57344, F8E5M2, 0xFB", "0x1p-14, F8E5M2, 0x04", "0x1p-16, F8E5M2, 0x01", "-0.0, F8E5M2, 0x80",
        "1, F8E5M2, 0x3C", "Infinity, F8E5M2, 0x7C", "-Infinity, F8E5M2, 0xFC", "NaN, F8E5M2, 0x7F"})
    void fp8EncodingsFollowTheSpecification(double value, DType dtype, String bits) {
        int expected = Integer.decode(bits);
        assertEquals(expected, DTypeValues.f8Bits(dtype, value) & 0xFF, () -> dtype + " bits of " + value);
        double decoded = DTypeValues.fromF8Bits(dtype, (byte) expected);
        assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(decoded), () -> dtype + " value of " + bits);
    }

    @Test
    void fp8NaNPatternsAndOverflow() {
        assertTrue(Double.isNaN(DTypeValues.fromF8Bits(DType.F8E4M3FN, (byte) 0xFF)));
        assertEquals(-448.0, DTypeValues.fromF8Bits(DType.F8E4M3FN, (byte) 0xFE)); // S.1111.110 is a number
        for (int b : new int[] {0x7D, 0x7E, 0xFF}) {
            assertTrue(Double.isNaN(DTypeValues.fromF8Bits(DType.F8E5M2, (byte) b)), () -> "E5M2 " + Integer.toHexString(b));
        }
        assertEquals(448.0, DTypeValues.round(DType.F8E4M3FN, 464)); // midway to the missing 480: ties to the even 448
        assertTrue(Double.isNaN(DTypeValues.round(DType.F8E4M3FN, 465)), "E4M3FN overflow is NaN");
        assertTrue(Double.isNaN(DTypeValues.round(DType.F8E4M3FN, Double.NEGATIVE_INFINITY)), "E4M3FN has no infinity");
        assertEquals(57344.0, DTypeValues.round(DType.F8E5M2, 61439));
        assertEquals(Double.POSITIVE_INFINITY, DTypeValues.round(DType.F8E5M2, 61440)); // ties to even: 2^16
        assertEquals(0.0, DTypeValues.round(DType.F8E4M3FN, 0x1p-10));
        assertEquals(0x1p-8, DTypeValues.round(DType.F8E4M3FN, 3 * 0x1p-10));
        assertEquals(0x1p-15, DTypeValues.round(DType.F8E5M2, 3 * 0x1p-17));
        assertEquals(1.0, DTypeValues.round(DType.F8E4M3FN, 1 + 0x1p-4));
        assertEquals(1.25, DTypeValues.round(DType.F8E4M3FN, 1 + 3 * 0x1p-4));
    }

    /** Every FP8 pattern that is not NaN decodes to a value the rounding keeps, and encodes back to itself. */
    @Test
    void fp8BitsRoundTripForEveryPattern() {
        for (DType dtype : new DType[] {DType.F8E4M3FN, DType.F8E5M2}) {
            for (int bits = 0; bits < 256; bits++) {
                double value = DTypeValues.fromF8Bits(dtype, (byte) bits);
                if (!Double.isNaN(value)) {
                    assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(DTypeValues.round(dtype, value)), dtype + " " + value);
                    assertEquals((byte) bits, DTypeValues.f8Bits(dtype, value), dtype + " bits " + Integer.toHexString(bits));
                }
            }
        }
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
