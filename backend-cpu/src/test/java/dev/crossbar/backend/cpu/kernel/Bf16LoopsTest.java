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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The BF16 loops against the scalar kernels' evaluation (double, rounded once with {@link HalfFloats#doubleToBf16}),
 * on uniformly random bit patterns, which cover every exponent (subnormal, underflowing and overflowing results
 * included), NaN and the infinities, at lengths around the chunk size and at unaligned offsets.
 */
class Bf16LoopsTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int[] LENGTHS = {1, 15, 16, 17, 100, Bf16Loops.CHUNK - 1, Bf16Loops.CHUNK + 17, 3 * Bf16Loops.CHUNK};
    private static final int OFFSET = 5;

    private Arena arena;
    private final Random random = new Random(11);

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

    /** Random BF16 bits; half of them with exponents near 1 so that sums also cancel and round within range. */
    private MemorySegment bf16(int n) {
        MemorySegment m = arena.allocate((long) (n + OFFSET) * Short.BYTES);
        for (int i = 0; i < n; i++) {
            short bits = random.nextBoolean() ? (short) random.nextInt(1 << 16) : HalfFloats.floatToBf16((float) random.nextGaussian());
            m.setAtIndex(SHORT, OFFSET + i, bits);
        }
        return m;
    }

    private static void assertSameBf16(short expected, short actual, String where) {
        float e = HalfFloats.bf16ToFloat(expected);
        float a = HalfFloats.bf16ToFloat(actual);
        if (Float.isNaN(e)) {
            assertTrue(Float.isNaN(a), () -> where + ": expected NaN but was " + a);
            return;
        }
        assertEquals(expected, actual, () -> String.format(Locale.ROOT, "%s: expected %s (0x%04x) but was %s (0x%04x)", where, e, expected, a, actual));
    }

    @Test
    void binaryOpsRoundAsTheDoubleEvaluationRoundedOnce() {
        List<Op> ops = List.of(Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAX, Op.MIN);
        long[][] strides = {{1, 1}, {1, 0}, {0, 1}};
        int underflowing = 0;
        for (int n : LENGTHS) {
            MemorySegment x = bf16(n);
            MemorySegment y = bf16(n);
            MemorySegment o = arena.allocate((long) (n + OFFSET) * Short.BYTES);
            for (Op op : ops) {
                for (long[] s : strides) {
                    Bf16Loops.binary(op, o, OFFSET, x, OFFSET, s[0], y, OFFSET, s[1], n);
                    for (int i = 0; i < n; i++) {
                        double u = HalfFloats.bf16ToFloat(x.getAtIndex(SHORT, OFFSET + i * s[0]));
                        double v = HalfFloats.bf16ToFloat(y.getAtIndex(SHORT, OFFSET + i * s[1]));
                        double exact = CpuBinaryKernel.evaluate(op, u, v);
                        if (exact != 0 && Math.abs(exact) < 2 * Float.MIN_NORMAL) {
                            underflowing++;
                        }
                        int at = i;
                        assertSameBf16(HalfFloats.doubleToBf16(exact), o.getAtIndex(SHORT, OFFSET + i),
                                String.format(Locale.ROOT, "%s n=%d strides=%d,%d at %d: %s, %s", op, n, s[0], s[1], at, u, v));
                    }
                }
            }
        }
        assertTrue(underflowing > 100, "the random operands must produce results in the underflow range, got " + underflowing);
    }

    @Test
    void exactUnaryOpsRoundAsTheDoubleEvaluationRoundedOnce() {
        for (Op op : List.of(Op.NEG, Op.ABS, Op.SQRT)) {
            for (int n : LENGTHS) {
                MemorySegment x = bf16(n);
                MemorySegment o = arena.allocate((long) (n + OFFSET) * Short.BYTES);
                Bf16Loops.unary(op, o, OFFSET, x, OFFSET, n);
                for (int i = 0; i < n; i++) {
                    double u = HalfFloats.bf16ToFloat(x.getAtIndex(SHORT, OFFSET + i));
                    assertSameBf16(HalfFloats.doubleToBf16(CpuUnaryKernel.evaluate(op, u)), o.getAtIndex(SHORT, OFFSET + i),
                            String.format(Locale.ROOT, "%s n=%d at %d: %s", op, n, i, u));
                }
            }
        }
    }

    /** The transcendental ops within the conformance kit's BF16 tolerance for them: 8e-3 relative plus 1e-6 absolute. */
    @Test
    void transcendentalUnaryOpsStayWithinTheBf16Tolerance() {
        int n = 3 * Bf16Loops.CHUNK + 5;
        for (Op op : List.of(Op.EXP, Op.LOGISTIC, Op.ERF, Op.RSQRT)) {
            MemorySegment x = arena.allocate((long) (n + OFFSET) * Short.BYTES);
            for (int i = 0; i < n; i++) {
                x.setAtIndex(SHORT, OFFSET + i, HalfFloats.floatToBf16((float) ((random.nextDouble() * 2 - 1) * 6)));
            }
            MemorySegment o = arena.allocate((long) (n + OFFSET) * Short.BYTES);
            Bf16Loops.unary(op, o, OFFSET, x, OFFSET, n);
            for (int i = 0; i < n; i++) {
                double u = HalfFloats.bf16ToFloat(x.getAtIndex(SHORT, OFFSET + i));
                double expected = CpuUnaryKernel.evaluate(op, u);
                float actual = HalfFloats.bf16ToFloat(o.getAtIndex(SHORT, OFFSET + i));
                if (Double.isNaN(expected)) {
                    assertTrue(Float.isNaN(actual), op + " of " + u + " must be NaN, was " + actual);
                } else {
                    assertTrue(Math.abs(actual - expected) <= 8e-3 * Math.abs(expected) + 1e-6,
                            String.format(Locale.ROOT, "%s(%s): expected %s but was %s", op, u, expected, actual));
                }
            }
        }
    }
}
