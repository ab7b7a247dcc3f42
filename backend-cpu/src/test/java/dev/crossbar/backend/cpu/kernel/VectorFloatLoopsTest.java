package dev.crossbar.backend.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.spi.Op;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The vector loops against scalar evaluation written here, element by element, on lengths around the vector width
 * and on values that stress the edge cases (NaN, infinities, signed zeros, subnormals), at unaligned offsets.
 */
class VectorFloatLoopsTest {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MIN_NORMAL, 1f, -1f, 3e38f};
    private static final int[] LENGTHS = {1, 7, 8, 15, 16, 17, 31, 33, 100, 1037};
    private static final int OFFSET = 3;

    private Arena arena;
    private final Random random = new Random(7);

    @BeforeEach
    void requireVectors() {
        assumeTrue(Simd.AVAILABLE, "jdk.incubator.vector is not loaded or the machine's vectors hold fewer than 8 floats");
        arena = Arena.ofConfined();
    }

    @AfterEach
    void free() {
        if (arena != null) {
            arena.close();
        }
    }

    private MemorySegment floats(int n) {
        MemorySegment m = arena.allocate((long) (n + OFFSET) * Float.BYTES);
        for (int i = 0; i < n; i++) {
            float v = random.nextInt(8) == 0 ? SPECIAL[random.nextInt(SPECIAL.length)] : (float) (random.nextGaussian() * 10);
            m.setAtIndex(FLOAT, OFFSET + i, v);
        }
        return m;
    }

    private static void assertSameFloat(float expected, float actual, String where) {
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), () -> where + ": expected " + expected + " but was " + actual);
    }

    @Test
    void binaryOpsEqualScalarArithmeticForEveryStridePattern() {
        List<Op> ops = List.of(Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAX, Op.MIN);
        long[][] strides = {{1, 1}, {1, 0}, {0, 1}};
        for (int n : LENGTHS) {
            MemorySegment x = floats(n);
            MemorySegment y = floats(n);
            MemorySegment o = arena.allocate((long) (n + OFFSET) * Float.BYTES);
            for (Op op : ops) {
                for (long[] s : strides) {
                    assertTrue(VectorFloatLoops.servesBinary(1, s[0], s[1]));
                    VectorFloatLoops.binary(op, o, OFFSET, x, OFFSET, s[0], y, OFFSET, s[1], n);
                    for (int i = 0; i < n; i++) {
                        float u = x.getAtIndex(FLOAT, OFFSET + i * s[0]);
                        float v = y.getAtIndex(FLOAT, OFFSET + i * s[1]);
                        float expected = switch (op) {
                            case ADD -> u + v;
                            case SUB -> u - v;
                            case MUL -> u * v;
                            case DIV -> u / v;
                            case MAX -> Math.max(u, v);
                            default -> Math.min(u, v);
                        };
                        assertSameFloat(expected, o.getAtIndex(FLOAT, OFFSET + i), String.format(Locale.ROOT, "%s strides %d,%d n=%d i=%d (%s, %s)", op, s[0], s[1], n, i, u, v));
                    }
                }
            }
        }
    }

    @Test
    void expIsWithinTwoUlpOfTheDoubleResultUpToOverflowAndThroughSubnormals() {
        float[] edges = {0f, -0f, 1e-30f, -1e-30f, 0.5f, -0.5f, 0.3465736f, -0.3465736f, 1f, -1f, 10f, -10f, -87.3f, -87.4f, -100f, -103.2f, -103.9f,
                -104f, -110f, 88.72f, 88.7228f, 88.73f, 100f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE};
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] values = new float[lanes];
        for (int start = 0; start < edges.length; start += lanes) {
            for (int lane = 0; lane < lanes; lane++) {
                values[lane] = edges[(start + lane) % edges.length];
            }
            float[] got = VectorFloatLoops.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, values, 0)).toArray();
            for (int lane = 0; lane < lanes; lane++) {
                float x = values[lane];
                float expected = (float) Math.exp(x);
                String where = String.format(Locale.ROOT, "exp(%s): expected %s, got %s", x, expected, got[lane]);
                if (Float.isNaN(expected) || Float.isInfinite(expected) || expected == 0 || expected < Float.MIN_NORMAL) {
                    // Subnormal results carry less precision: one unit of the smallest subnormal is the bound there.
                    assertTrue(Float.compare(expected, got[lane]) == 0 || Math.abs(expected - got[lane]) <= Float.MIN_VALUE, where);
                } else {
                    assertTrue(Math.abs(expected - got[lane]) <= 2 * Math.ulp(expected), where);
                }
            }
        }
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 20_000; trial++) {
            for (int lane = 0; lane < lanes; lane++) {
                values[lane] = (float) (random.nextDouble() * 180 - 90);
            }
            float[] got = VectorFloatLoops.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, values, 0)).toArray();
            for (int lane = 0; lane < lanes; lane++) {
                double expected = Math.exp(values[lane]);
                if (expected >= Float.MIN_NORMAL && expected <= Float.MAX_VALUE) {
                    float e = (float) expected;
                    assertTrue(Math.abs(e - got[lane]) <= 2 * Math.ulp(e), String.format(Locale.ROOT, "exp(%s): expected %s, got %s", values[lane], e, got[lane]));
                }
            }
        }
    }

    @Test
    void laneSumAddsInLaneOrder() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] values = new float[lanes];
        values[0] = 1e8f;
        for (int lane = 1; lane < lanes; lane++) {
            values[lane] = lane % 2 == 0 ? -1e8f : 3f;
        }
        float expected = 0;
        for (float value : values) {
            expected += value;
        }
        assertEquals(expected, VectorFloatLoops.sumInOrder(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, values, 0)), 0f);
    }

    @Test
    void unaryOpsMatchDoubleEvaluationWithinAFewUlp() {
        List<Op> ops = List.of(Op.NEG, Op.ABS, Op.SQRT, Op.RSQRT, Op.EXP, Op.LOGISTIC);
        for (int n : LENGTHS) {
            MemorySegment x = floats(n);
            MemorySegment o = arena.allocate((long) (n + OFFSET) * Float.BYTES);
            for (Op op : ops) {
                VectorFloatLoops.unary(op, o, OFFSET, x, OFFSET, n);
                for (int i = 0; i < n; i++) {
                    float u = x.getAtIndex(FLOAT, OFFSET + i);
                    float expected = (float) CpuUnaryKernel.evaluate(op, u);
                    float actual = o.getAtIndex(FLOAT, OFFSET + i);
                    String where = String.format(Locale.ROOT, "%s(%s) n=%d i=%d: expected %s, got %s", op, u, n, i, expected, actual);
                    if (Float.isNaN(expected) || Float.isInfinite(expected) || op == Op.NEG || op == Op.ABS || op == Op.SQRT) {
                        assertSameFloat(expected, actual, where);
                    } else {
                        // The conformance kit's F32 transcendental tolerance: 2e-6 relative plus 1e-6 absolute.
                        assertTrue(Math.abs(actual - expected) <= 2e-6 * Math.abs(expected) + 1e-6, where);
                    }
                }
            }
        }
    }

    /**
     * The vector erf against the double-precision {@link ErrorFunction} on every 4093rd float of each sign (all
     * exponents, subnormals included) and the special values: within 2.5e-7 absolute (Abramowitz and Stegun bound 1.5e-7, plus F32 rounding; 1.81e-7 measured),
     * and within the conformance kit's F32 transcendental tolerance (2e-6 relative plus 1e-6 absolute).
     */
    @Test
    void erfIsWithinItsStatedErrorOverTheWholeFloatRange() {
        int step = 4093;
        int perSign = (0x7F800000 / step) + 1;
        int n = 2 * perSign + 4;
        MemorySegment x = arena.allocate((long) (n + OFFSET) * Float.BYTES);
        for (int i = 0; i < perSign; i++) {
            float v = Float.intBitsToFloat(i * step);
            x.setAtIndex(FLOAT, OFFSET + 2L * i, v);
            x.setAtIndex(FLOAT, OFFSET + 2L * i + 1, -v);
        }
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f};
        for (int i = 0; i < special.length; i++) {
            x.setAtIndex(FLOAT, OFFSET + 2L * perSign + i, special[i]);
        }
        MemorySegment o = arena.allocate((long) (n + OFFSET) * Float.BYTES);
        VectorFloatLoops.unary(Op.ERF, o, OFFSET, x, OFFSET, n - n % VectorFloatLoops.lanes());
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < n - n % VectorFloatLoops.lanes(); i++) {
            float v = x.getAtIndex(FLOAT, OFFSET + i);
            float actual = o.getAtIndex(FLOAT, OFFSET + i);
            double expected = ErrorFunction.erf(v);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(actual), "erf(NaN) must be NaN, was " + actual);
                continue;
            }
            if (expected == 0) {
                assertSameFloat((float) expected, actual, "erf(" + v + ")");
                continue;
            }
            double error = Math.abs(actual - expected);
            if (error > worst) {
                worst = error;
                worstAt = v;
            }
            assertTrue(error <= 2e-6 * Math.abs(expected) + 1e-6,
                    String.format(Locale.ROOT, "erf(%s) = %s but was %s (error %.3g)", v, expected, actual, error));
        }
        double found = worst;
        float at = worstAt;
        assertTrue(found > 0 && found <= 2.5e-7, String.format(Locale.ROOT, "largest error %.3g at %s", found, at));
    }

    @Test
    void reductionsMatchADoubleSumAndPropagateNaN() {
        for (int n : LENGTHS) {
            MemorySegment x = arena.allocate((long) (n + OFFSET) * Float.BYTES);
            double sum = 0;
            float max = Float.NEGATIVE_INFINITY;
            float min = Float.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                float v = (float) random.nextGaussian();
                x.setAtIndex(FLOAT, OFFSET + i, v);
                sum += v;
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
            assertEquals(sum, VectorFloatLoops.reduce(Op.REDUCE_SUM, x, OFFSET, n), 1e-12 * n);
            assertEquals(max, VectorFloatLoops.reduce(Op.REDUCE_MAX, x, OFFSET, n));
            assertEquals(min, VectorFloatLoops.reduce(Op.REDUCE_MIN, x, OFFSET, n));
            x.setAtIndex(FLOAT, OFFSET + n / 2, Float.NaN);
            assertTrue(Double.isNaN(VectorFloatLoops.reduce(Op.REDUCE_MAX, x, OFFSET, n)), "max with a NaN, n=" + n);
            assertTrue(Double.isNaN(VectorFloatLoops.reduce(Op.REDUCE_MIN, x, OFFSET, n)), "min with a NaN, n=" + n);
        }
    }

    @Test
    void comparisonsAndSelectEqualScalarEvaluation() {
        List<Op> ops = List.of(Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE);
        for (int n : LENGTHS) {
            MemorySegment x = floats(n);
            MemorySegment y = floats(n);
            for (int i = 0; i < n; i += 3) {
                y.setAtIndex(FLOAT, OFFSET + i, x.getAtIndex(FLOAT, OFFSET + i));
            }
            MemorySegment mask = arena.allocate(n + OFFSET);
            MemorySegment o = arena.allocate((long) (n + OFFSET) * Float.BYTES);
            for (Op op : ops) {
                VectorFloatLoops.compare(op, mask, OFFSET, x, OFFSET, y, OFFSET, n);
                VectorFloatLoops.select(o, OFFSET, mask, OFFSET, x, OFFSET, y, OFFSET, n);
                for (int i = 0; i < n; i++) {
                    float u = x.getAtIndex(FLOAT, OFFSET + i);
                    float v = y.getAtIndex(FLOAT, OFFSET + i);
                    boolean expected = switch (op) {
                        case EQ -> u == v;
                        case NE -> u != v;
                        case LT -> u < v;
                        case LE -> u <= v;
                        case GT -> u > v;
                        default -> u >= v;
                    };
                    assertEquals(expected ? 1 : 0, mask.get(ValueLayout.JAVA_BYTE, OFFSET + i), op + " of " + u + " and " + v);
                    assertSameFloat(expected ? u : v, o.getAtIndex(FLOAT, OFFSET + i), "select after " + op);
                }
            }
        }
    }

    @Test
    void bf16ConversionsEqualHalfFloatsForEveryPattern() {
        int n = 1 << 16;
        MemorySegment bits = arena.allocate((long) (n + OFFSET) * Short.BYTES);
        for (int i = 0; i < n; i++) {
            bits.setAtIndex(SHORT, OFFSET + i, (short) i);
        }
        MemorySegment wide = arena.allocate((long) (n + OFFSET) * Float.BYTES);
        VectorFloatLoops.bf16ToFloat(wide, OFFSET, bits, OFFSET, n);
        for (int i = 0; i < n; i++) {
            assertSameFloat(HalfFloats.bf16ToFloat((short) i), wide.getAtIndex(FLOAT, OFFSET + i), "bf16 " + i);
        }
        MemorySegment x = arena.allocate((long) (n + OFFSET) * Float.BYTES);
        for (int i = 0; i < n; i++) {
            // Random bit patterns cover NaN payloads, ties and subnormals; every 7th is a rounding tie.
            int pattern = i % 7 == 0 ? (random.nextInt() & 0xFFFF0000) | 0x8000 : random.nextInt();
            x.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, OFFSET + i, pattern);
        }
        MemorySegment narrow = arena.allocate((long) (n + OFFSET) * Short.BYTES);
        VectorFloatLoops.floatToBf16(narrow, OFFSET, x, OFFSET, n);
        for (int i = 0; i < n; i++) {
            float v = x.getAtIndex(FLOAT, OFFSET + i);
            assertEquals(HalfFloats.floatToBf16(v), narrow.getAtIndex(SHORT, OFFSET + i), "bf16 of bits " + Integer.toHexString(Float.floatToRawIntBits(v)));
        }
    }
}
