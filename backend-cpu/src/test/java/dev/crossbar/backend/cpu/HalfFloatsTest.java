package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Tensor;
import dev.crossbar.backend.cpu.kernel.HalfFloats;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bit-exact rounding to BF16 and F16, with expected bits worked out by hand from the formats' definitions. */
class HalfFloatsTest extends CpuScopeFixture {

    @ParameterizedTest(name = "float bits {0} -> bf16 {1}")
    @CsvSource({
        "3F800000, 3F80", // 1.0 exactly
        "3F808000, 3F80", // tie between 0x3F80 and 0x3F81: to the even one below
        "3F818000, 3F82", // tie between 0x3F81 and 0x3F82: to the even one above
        "3F808001, 3F81", // just above the tie
        "3F807FFF, 3F80", // just below the tie
        "BF818000, BF82", // negative tie
        "7F7F7FFF, 7F7F", // largest value that stays finite
        "7F7FFFFF, 7F80", // Float.MAX_VALUE rounds to infinity
        "7F800000, 7F80", // infinity
        "FF800000, FF80", // negative infinity
        "7FC00000, 7FC0", // quiet NaN
        "7F800001, 7FC0", // NaN whose payload truncation would lose: stays NaN
        "FFC00001, FFC0", // negative NaN keeps its sign
        "80000000, 8000", // negative zero
        "00008000, 0000", // subnormal tie to even zero
        "00018000, 0002", // subnormal tie to even 2
        "00008001, 0001", // subnormal just above the tie
        "00000001, 0000", // smallest float subnormal
    })
    void floatToBf16RoundsToNearestEven(String floatBits, String bf16Bits) {
        float value = Float.intBitsToFloat(Integer.parseUnsignedInt(floatBits, 16));
        assertEquals(Integer.parseInt(bf16Bits, 16), HalfFloats.floatToBf16(value) & 0xFFFF);
    }

    @Test
    void bf16WidensExactly() {
        assertEquals(1.0f, HalfFloats.bf16ToFloat((short) 0x3F80));
        assertEquals(Float.intBitsToFloat(0x00010000), HalfFloats.bf16ToFloat((short) 0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.bf16ToFloat((short) 0xFF80));
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat((short) 0x7FC0)));
    }

    @Test
    void doublesRoundOnceNotTwice() {
        // 1 + 2^-8 + 2^-40 lies above the bf16 tie 1 + 2^-8, but rounds to that tie in float: a double rounding would
        // give 0x3F80.
        assertEquals(0x3F81, HalfFloats.doubleToBf16(1 + 0x1p-8 + 0x1p-40) & 0xFFFF);
        assertEquals(0x3F80, HalfFloats.doubleToBf16(1 + 0x1p-8) & 0xFFFF);
        assertEquals(0x3C01, HalfFloats.doubleToF16(1 + 0x1p-11 + 0x1p-40) & 0xFFFF);
        assertEquals(0x3C00, HalfFloats.doubleToF16(1 + 0x1p-11) & 0xFFFF);
        assertEquals(0x3C02, HalfFloats.doubleToF16(1 + 3 * 0x1p-11) & 0xFFFF);
        // Doubles below the smallest float subnormal still round correctly.
        assertEquals(0x0000, HalfFloats.doubleToBf16(1e-50) & 0xFFFF);
    }

    @ParameterizedTest(name = "{0} -> f16 {1}")
    @CsvSource({
        "65504, 7BFF", // largest f16
        "65519, 7BFF", // below the overflow tie
        "65520, 7C00", // the tie between 65504 and 65536 goes to the even one, infinity
        "5.9604644775390625E-8, 0001", // 2^-24, the smallest subnormal
        "2.98023223876953125E-8, 0000", // 2^-25, tie between 0 and 2^-24: to zero
        "8.940696716308594E-8, 0002", // 3 * 2^-25, tie between 1 and 2 ulps: to 2
        "Infinity, 7C00",
        "-Infinity, FC00",
        "-0.0, 8000",
    })
    void doubleToF16RoundsToNearestEven(double value, String f16Bits) {
        assertEquals(Integer.parseInt(f16Bits, 16), HalfFloats.doubleToF16(value) & 0xFFFF);
    }

    @Test
    void subnormalTieAboveByADoubleUlpRoundsUp() {
        assertEquals(0x0001, HalfFloats.doubleToF16(0x1p-25 + 0x1p-60) & 0xFFFF);
        assertTrue(Float.isNaN(Float.float16ToFloat(HalfFloats.doubleToF16(Double.NaN))));
    }

    @Test
    void castKernelStoresTheRoundedBits() {
        float[] values = {1f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), Float.NaN, Float.NEGATIVE_INFINITY};
        try (Tensor bf16 = scope.fromArray(values, values.length).cast(DType.BF16);
                Tensor f16 = scope.fromArray(values, values.length).cast(DType.F16)) {
            short[] bf16Bits = bf16.asSegment().toArray(ValueLayout.JAVA_SHORT);
            assertArrayEquals(new short[] {0x3F80, 0x3F80, 0x3F82, 0x7FC0, (short) 0xFF80}, bf16Bits);
            short[] f16Bits = f16.asSegment().toArray(ValueLayout.JAVA_SHORT);
            assertEquals(0x3C00, f16Bits[0]);
            assertEquals(0x3C04, f16Bits[1]); // 1 + 2^-8 and 1 + 2^-7 + 2^-8 are exact in f16
            assertEquals(0x3C0C, f16Bits[2]);
            assertTrue(Float.isNaN(Float.float16ToFloat(f16Bits[3])));
            assertEquals((short) 0xFC00, f16Bits[4]);
        }
    }

    @Test
    void halfPrecisionArithmeticRoundsTheExactResult() {
        try (Tensor a = scope.fromArray(new float[] {1, 1}, 2).cast(DType.BF16);
                Tensor b = scope.fromArray(new float[] {0x1p-8f, 3 * 0x1p-8f}, 2).cast(DType.BF16);
                Tensor sum = a.add(b)) {
            // 1 + 2^-8 is a tie to even 1.0; 1 + 3 * 2^-8 a tie to even 1 + 2^-6.
            assertArrayEquals(new float[] {1f, 1 + 0x1p-6f}, sum.toFloatArray());
        }
    }
}
