package dev.crossbar.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * {@link Float8} against encodings worked out by hand from the OCP FP8 specification, and its rounding against a
 * brute-force search over every value of each format.
 */
class Float8Test {

    /** Value (as Java writes it), format, expected bits. */
    @ParameterizedTest(name = "{1}: {0} encodes as {2}")
    @CsvSource({
        // E4M3FN: bias 7, 3 mantissa bits, S.1111.111 is NaN, no infinities.
        "448, F8E4M3FN, 0x7E",            // the largest value, 1.75 * 2^8
        "-448, F8E4M3FN, 0xFE",
        "1, F8E4M3FN, 0x38",
        "-2.75, F8E4M3FN, 0xC3",          // 1.375 * 2^1
        "0x1p-6, F8E4M3FN, 0x08",         // the smallest normal
        "0x1p-9, F8E4M3FN, 0x01",         // the smallest subnormal
        "0x1.cp-7, F8E4M3FN, 0x07",       // the largest subnormal, 7 * 2^-9
        "0, F8E4M3FN, 0x00",
        "-0.0, F8E4M3FN, 0x80",
        "NaN, F8E4M3FN, 0x7F",
        "-NaN, F8E4M3FN, 0xFF",
        "464, F8E4M3FN, 0x7E",            // midway between 448 and the missing 480: ties to the even 448
        "465, F8E4M3FN, 0x7F",            // above it: overflow, NaN (no saturation)
        "1e6, F8E4M3FN, 0x7F",
        "-1e6, F8E4M3FN, 0xFF",
        "Infinity, F8E4M3FN, 0x7F",
        "-Infinity, F8E4M3FN, 0xFF",
        "0x1p-10, F8E4M3FN, 0x00",        // half the smallest subnormal: ties to even zero
        "0x1.8p-9, F8E4M3FN, 0x02",       // 1.5 quanta: ties to even 2
        "1.0625, F8E4M3FN, 0x38",         // 1 + 2^-4 between 1 (even) and 1.125
        "1.1875, F8E4M3FN, 0x3A",         // between 1.125 (odd) and 1.25 (even)
        "0x1.ep-7, F8E4M3FN, 0x08",       // 7.5 quanta rounds up into the smallest normal
        // E5M2: bias 15, 2 mantissa bits, IEEE infinities and NaNs.
        "57344, F8E5M2, 0x7B",            // the largest finite value, 1.75 * 2^15
        "61439, F8E5M2, 0x7B",
        "61440, F8E5M2, 0x7C",            // midway to 2^16: ties to even, which is infinity
        "Infinity, F8E5M2, 0x7C",
        "-Infinity, F8E5M2, 0xFC",
        "1, F8E5M2, 0x3C",
        "0x1p-14, F8E5M2, 0x04",          // the smallest normal
        "0x1p-16, F8E5M2, 0x01",          // the smallest subnormal
        "0x1p-17, F8E5M2, 0x00",
        "0x1.8p-16, F8E5M2, 0x02",
        "-0.0, F8E5M2, 0x80",
        "NaN, F8E5M2, 0x7E",
        "1.125, F8E5M2, 0x3C",            // between 1 (even) and 1.25
        "1.375, F8E5M2, 0x3E",            // between 1.25 (odd) and 1.5 (even)
    })
    void encodesKnownValues(String value, DType format, String bits) {
        double v = Double.parseDouble(value.replace("-NaN", "NaN"));
        if (value.startsWith("-NaN")) {
            v = -v; // Java parses no signed NaN; negating sets the sign bit
        }
        int expected = Integer.decode(bits);
        assertEquals(expected, Float8.encode(format, v) & 0xFF, () -> String.format(Locale.ROOT, "%s of %s", format, value));
    }

    @ParameterizedTest
    @CsvSource({"F8E4M3FN, 0x7E, 448", "F8E4M3FN, 0x01, 0x1p-9", "F8E4M3FN, 0xC3, -2.75", "F8E4M3FN, 0x80, -0.0", "F8E5M2, 0x7B, 57344",
        "F8E5M2, 0x7C, Infinity", "F8E5M2, 0xFC, -Infinity", "F8E5M2, 0x01, 0x1p-16", "F8E5M2, 0x3C, 1"})
    void decodesKnownPatterns(DType format, String bits, String value) {
        float expected = Float.parseFloat(value);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(Float8.decode(format, Integer.decode(bits).byteValue())));
    }

    @Test
    void nanPatternsDecodeToNaN() {
        for (int b : new int[] {0x7F, 0xFF}) {
            assertTrue(Float.isNaN(Float8.decode(DType.F8E4M3FN, (byte) b)), () -> "E4M3FN " + Integer.toHexString(b));
        }
        for (int b : new int[] {0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF}) {
            assertTrue(Float.isNaN(Float8.decode(DType.F8E5M2, (byte) b)), () -> "E5M2 " + Integer.toHexString(b));
        }
    }

    @Test
    void largestFiniteValues() {
        assertEquals(448f, Float8.maxFinite(DType.F8E4M3FN));
        assertEquals(57344f, Float8.maxFinite(DType.F8E5M2));
    }

    /** Every pattern that is not NaN encodes back to itself, and the positive patterns increase. */
    @ParameterizedTest
    @EnumSource(names = {"F8E4M3FN", "F8E5M2"})
    void everyPatternRoundTrips(DType format) {
        float previous = -1;
        for (int b = 0; b < 256; b++) {
            float v = Float8.decode(format, (byte) b);
            if (Float.isNaN(v)) {
                continue;
            }
            assertEquals(b, Float8.encode(format, v) & 0xFF, "pattern 0x" + Integer.toHexString(b) + " = " + v);
            if (b < 0x80) {
                assertTrue(v > previous || b == 0, "positive patterns increase at 0x" + Integer.toHexString(b));
                previous = v;
            }
        }
    }

    /**
     * For random values across the whole range, the encoding is the nearest finite value, ties to the even pattern,
     * found by searching every pattern; beyond the largest value plus half a step it is the overflow pattern.
     */
    @ParameterizedTest
    @EnumSource(names = {"F8E4M3FN", "F8E5M2"})
    void roundingIsToTheNearestValueTiesToEven(DType format) {
        List<Float> finite = new ArrayList<>();
        for (int b = 0; b < 0x80; b++) {
            float v = Float8.decode(format, (byte) b);
            if (Float.isFinite(v)) {
                finite.add(v);
            }
        }
        float max = Float8.maxFinite(format);
        double step = max - finite.get(finite.size() - 2);
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < 200_000; i++) {
            double v = Math.scalb(random.nextDouble(1, 2), random.nextInt(-20, 18));
            int best = 0;
            for (int b = 1; b < finite.size(); b++) {
                double d = Math.abs(finite.get(b) - v);
                double bestD = Math.abs(finite.get(best) - v);
                if (d < bestD || (d == bestD && (b & 1) == 0)) {
                    best = b;
                }
            }
            int got = Float8.encode(format, v) & 0xFF;
            if (v > max + step / 2 || (v == max + step / 2 && ((finite.size() - 1) & 1) == 1)) {
                int overflow = Float8.encode(format, Double.POSITIVE_INFINITY) & 0xFF;
                assertEquals(format == DType.F8E4M3FN ? 0x7F : 0x7C, overflow);
                assertEquals(overflow, got, "overflow of " + v);
            } else {
                assertEquals(best, got, "nearest pattern to " + v);
            }
            assertEquals(got | 0x80, Float8.encode(format, -v) & 0xFF, "the sign of -" + v);
        }
    }

    @Test
    void otherTypesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Float8.encode(DType.BF16, 1));
        assertTrue(e.getMessage().contains("BF16") && e.getMessage().contains("F8E4M3FN"), e.getMessage());
    }
}
