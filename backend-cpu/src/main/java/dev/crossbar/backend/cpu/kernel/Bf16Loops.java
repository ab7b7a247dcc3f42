package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.spi.Op;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * BF16 runs computed with the F32 vector loops, called only when {@link Simd#AVAILABLE}: each chunk of
 * {@link #CHUNK} elements is widened (exactly) into the thread's scratch floats, which stay in the L1 cache, computed
 * there by {@link VectorFloatLoops} and rounded back to nearest even.
 *
 * <p>Add, subtract, multiply, divide, square root, max and min equal the scalar kernels' double evaluation rounded once,
 * bit for bit: rounding a correctly rounded F32 result again to BF16 is correct because F32 carries at least
 * 2 * 8 + 2 significand bits (Figueroa, "When is double rounding innocuous?", SIGNUM Newsletter 30(3), 1995), as long
 * as the F32 result did not underflow; elements whose F32 result is subnormal or barely normal are recomputed by the
 * scalar evaluation. The transcendental functions inherit the F32 loops' error (a few F32 ulp) before rounding.
 */
final class Bf16Loops {
    /** Elements per chunk: three chunks of floats (two operands and the result) take 12 KiB. */
    static final int CHUNK = 1024;

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** F32 results below this magnitude (twice the smallest normal) may have lost precision to underflow. */
    private static final float UNDERFLOW_LIMIT = 2 * Float.MIN_NORMAL;
    private static final long X = 0;
    private static final long Y = CHUNK;
    private static final long O = 2L * CHUNK;
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(3L * CHUNK * Float.BYTES, FLOATS.vectorByteSize()));

    private Bf16Loops() {
    }

    /**
     * {@code o[i] = x[i * sx] op y[i * sy]} for i in [0, n) over BF16 bits, strides as
     * {@link VectorFloatLoops#servesBinary} admits, for the ops {@link VectorFloatLoops#binary} serves.
     */
    static void binary(Op op, MemorySegment o, long po, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        MemorySegment scratch = SCRATCH.get();
        boolean mayUnderflow = op == Op.ADD || op == Op.SUB || op == Op.MUL || op == Op.DIV;
        for (int done = 0; done < n; done += CHUNK) {
            int m = Math.min(CHUNK, n - done);
            VectorFloatLoops.bf16ToFloat(scratch, X, x, px + done * sx, sx == 0 ? 1 : m);
            VectorFloatLoops.bf16ToFloat(scratch, Y, y, py + done * sy, sy == 0 ? 1 : m);
            VectorFloatLoops.binary(op, scratch, O, scratch, X, sx, scratch, Y, sy, m);
            VectorFloatLoops.floatToBf16(o, po + done, scratch, O, m);
            if (mayUnderflow && anyNearUnderflow(scratch, O, m)) {
                for (int i = 0; i < m; i++) {
                    if (nearUnderflow(scratch.getAtIndex(FLOAT, O + i))) {
                        double u = HalfFloats.bf16ToFloat(x.getAtIndex(SHORT, px + (done + i) * sx));
                        double v = HalfFloats.bf16ToFloat(y.getAtIndex(SHORT, py + (done + i) * sy));
                        o.setAtIndex(SHORT, po + done + i, HalfFloats.doubleToBf16(CpuBinaryKernel.evaluate(op, u, v)));
                    }
                }
            }
        }
    }

    /** {@code o[i] = op(x[i])} for i in [0, n) over contiguous BF16 bits, for the ops {@link VectorFloatLoops#unary} serves. */
    static void unary(Op op, MemorySegment o, long po, MemorySegment x, long px, int n) {
        MemorySegment scratch = SCRATCH.get();
        for (int done = 0; done < n; done += CHUNK) {
            int m = Math.min(CHUNK, n - done);
            VectorFloatLoops.bf16ToFloat(scratch, X, x, px + done, m);
            VectorFloatLoops.unary(op, scratch, O, scratch, X, m);
            VectorFloatLoops.floatToBf16(o, po + done, scratch, O, m);
        }
    }

    /**
     * Reduces {@code n} contiguous BF16 values from {@code px} as {@link VectorFloatLoops#reduce} reduces their exact
     * widening, one chunk at a time, the chunks' results combined in order in double.
     */
    static double reduce(Op op, MemorySegment x, long px, long n) {
        MemorySegment scratch = SCRATCH.get();
        double result = 0;
        for (long done = 0; done < n; done += CHUNK) {
            int m = (int) Math.min(CHUNK, n - done);
            VectorFloatLoops.bf16ToFloat(scratch, X, x, px + done, m);
            double part = VectorFloatLoops.reduce(op, scratch, X, m);
            result = done == 0 ? part : CpuReduceKernel.combine(op, result, part);
        }
        return result;
    }

    /**
     * Reduces the {@code rows} rows of {@code width} contiguous BF16 columns starting at {@code px}, one row every
     * {@code rowStride} elements, into BF16 {@code o[po, po + width)}: combined in F32 row by row with
     * {@link VectorFloatLoops#accumulate} (sums starting from +0), then rounded once; {@code width} is at most
     * {@link #CHUNK}.
     */
    static void reduceColumns(Op op, MemorySegment o, long po, MemorySegment x, long px, long rows, long rowStride, int width) {
        MemorySegment scratch = SCRATCH.get();
        long firstRow = 0;
        if (op == Op.REDUCE_SUM) {
            scratch.asSlice(O * Float.BYTES, (long) width * Float.BYTES).fill((byte) 0);
        } else {
            VectorFloatLoops.bf16ToFloat(scratch, O, x, px, width);
            firstRow = 1;
        }
        for (long r = firstRow; r < rows; r++) {
            VectorFloatLoops.bf16ToFloat(scratch, X, x, px + r * rowStride, width);
            VectorFloatLoops.accumulate(op, scratch, O, scratch, X, width);
        }
        VectorFloatLoops.floatToBf16(o, po, scratch, O, width);
    }

    private static boolean anyNearUnderflow(MemorySegment f, long pf, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        for (; i < bound; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(FLOATS, f, (pf + i) * Float.BYTES, ORDER);
            if (v.compare(VectorOperators.NE, 0f).and(v.abs().compare(VectorOperators.LT, UNDERFLOW_LIMIT)).anyTrue()) {
                return true;
            }
        }
        for (; i < n; i++) {
            if (nearUnderflow(f.getAtIndex(FLOAT, pf + i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an F32 result may differ from the exact one by more than its own rounding would allow a second rounding
     * to BF16: a nonzero result below twice the smallest normal float. A zero result is exact, or the exact result is
     * below half the smallest subnormal, which rounds to the same signed zero in BF16.
     */
    private static boolean nearUnderflow(float r) {
        return r != 0 && Math.abs(r) < UNDERFLOW_LIMIT;
    }
}
