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
 * The F32 vector loops of the fused kernels (GELU, layer normalization), called only when {@link Simd#AVAILABLE},
 * under the rules of {@link VectorFloatLoops}: each loop keeps its vectors inside one method, and exp and lane sums
 * are VectorFloatLoops' own, so results do not depend on whether the JIT has compiled the loop. BF16 tensors are widened
 * (exactly) into the thread's scratch floats, computed there and rounded back once, so a fused BF16 result carries one
 * rounding where the composite carries one per primitive.
 */
final class FusedFloatLoops {
    /** Elements per block: input and output blocks stay in the first-level cache between passes. */
    static final int BLOCK = 1024;

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Per kernel thread: widened operand blocks or rows (rows of layer normalization may be longer than a block). */
    private static final ThreadLocal<Scratch> ROWS = ThreadLocal.withInitial(Scratch::new);
    /** Per calling thread: the widened weight and bias that every kernel thread reads. */
    private static final ThreadLocal<Scratch> PARAMETERS = ThreadLocal.withInitial(Scratch::new);

    private FusedFloatLoops() {
    }

    /** Floats owned by one thread, grown on demand and kept for its next call. */
    static final class Scratch {
        private MemorySegment floats = MemorySegment.NULL;

        /** At least {@code count} floats, contents unspecified. */
        MemorySegment floats(long count) {
            if (floats.byteSize() < count * Float.BYTES) {
                floats = Arena.ofAuto().allocate(Math.max(count, 3L * BLOCK) * Float.BYTES, FLOATS.vectorByteSize());
            }
            return floats;
        }
    }

    /** The calling kernel thread's scratch for operand blocks and rows. */
    static Scratch rows() {
        return ROWS.get();
    }

    /** The calling thread's scratch for parameters shared with the kernel threads. */
    static Scratch parameters() {
        return PARAMETERS.get();
    }

    // ---------------------------------------------------------------- GELU

    /**
     * GELU of {@code n} contiguous floats. The exact form goes in blocks: {@code o = x / sqrt 2}, then
     * {@link VectorFloatLoops#unary} erf in place, then {@code o = x (1 + o) / 2}; the tanh form is one loop.
     */
    static void gelu(MemorySegment o, long po, MemorySegment x, long px, int n, boolean tanh) {
        if (tanh) {
            geluTanh(o, po, null, 0, x, px, n);
            return;
        }
        FloatVector half = FloatVector.broadcast(FLOATS, 0.5f);
        for (int start = 0; start < n; start += BLOCK) {
            int length = Math.min(BLOCK, n - start);
            long bo = po + start;
            long bx = px + start;
            erfOfScaled(o, bo, x, bx, length);
            int bound = FLOATS.loopBound(length);
            int i = 0;
            for (; i < bound; i += LANES) {
                FloatVector v = FloatVector.fromMemorySegment(FLOATS, x, (bx + i) * Float.BYTES, ORDER);
                FloatVector e = FloatVector.fromMemorySegment(FLOATS, o, (bo + i) * Float.BYTES, ORDER);
                v.mul(half).fma(e, v.mul(half)).intoMemorySegment(o, (bo + i) * Float.BYTES, ORDER);
            }
            for (; i < length; i++) {
                o.setAtIndex(FLOAT, bo + i, (float) CpuGeluKernel.gelu(x.getAtIndex(FLOAT, bx + i), false));
            }
        }
    }

    /**
     * {@code o = g * gelu'(x)} for {@code n} contiguous floats, in blocks as {@link #gelu}: the exact derivative is
     * {@code (1 + erf(x / sqrt 2)) / 2 + x exp(-x^2 / 2) / sqrt(2 pi)}.
     */
    static void geluBackward(MemorySegment o, long po, MemorySegment g, long pg, MemorySegment x, long px, int n, boolean tanh) {
        if (tanh) {
            geluTanh(o, po, g, pg, x, px, n);
            return;
        }
        FloatVector half = FloatVector.broadcast(FLOATS, 0.5f);
        FloatVector minusHalf = FloatVector.broadcast(FLOATS, -0.5f);
        FloatVector density = FloatVector.broadcast(FLOATS, (float) CpuGeluKernel.DENSITY_SCALE);
        for (int start = 0; start < n; start += BLOCK) {
            int length = Math.min(BLOCK, n - start);
            long bo = po + start;
            long bg = pg + start;
            long bx = px + start;
            erfOfScaled(o, bo, x, bx, length);
            int bound = FLOATS.loopBound(length);
            int i = 0;
            for (; i < bound; i += LANES) {
                FloatVector v = FloatVector.fromMemorySegment(FLOATS, x, (bx + i) * Float.BYTES, ORDER);
                FloatVector e = FloatVector.fromMemorySegment(FLOATS, o, (bo + i) * Float.BYTES, ORDER);
                FloatVector pdf = VectorFloatLoops.exp(v.mul(v).mul(minusHalf)).mul(density);
                FloatVector slope = e.fma(half, half).add(v.mul(pdf));
                FloatVector.fromMemorySegment(FLOATS, g, (bg + i) * Float.BYTES, ORDER).mul(slope).intoMemorySegment(o, (bo + i) * Float.BYTES, ORDER);
            }
            for (; i < length; i++) {
                o.setAtIndex(FLOAT, bo + i, (float) (g.getAtIndex(FLOAT, bg + i) * CpuGeluKernel.derivative(x.getAtIndex(FLOAT, bx + i), false)));
            }
        }
    }

    /** {@code o = erf(x / sqrt 2)} for {@code n} contiguous floats, the scaling pass then {@link VectorFloatLoops#unary} erf in place. */
    private static void erfOfScaled(MemorySegment o, long po, MemorySegment x, long px, int n) {
        float scale = (float) (1 / Math.sqrt(2));
        FloatVector factor = FloatVector.broadcast(FLOATS, scale);
        int bound = FLOATS.loopBound(n);
        int i = 0;
        for (; i < bound; i += LANES) {
            FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).mul(factor).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, x.getAtIndex(FLOAT, px + i) * scale);
        }
        VectorFloatLoops.unary(Op.ERF, o, po, o, po, n);
    }

    /**
     * The tanh form in one loop, written with the logistic function so that no step cancels: with
     * {@code y = sqrt(2 / pi) (x + 0.044715 x^3)}, {@code (1 + tanh y) / 2 = s = 1 / (1 + e)} where {@code e = e^(-2y)},
     * and {@code (1 - tanh^2 y) / 4 = s (1 - s)}, where {@code 1 - s} is {@code e s} for {@code x >= 0} (y has the sign of x; s is near 1 there) and
     * {@code 1 - s} itself otherwise. So {@code o = x s} when {@code g} is null, else
     * {@code o = g (s + 2 x s (1 - s) sqrt(2 / pi) (1 + 3 * 0.044715 x^2))}. (Through {@code 1 + tanh y} the gradient
     * for x near -4 would lose a thousandth of its value to rounding.)
     */
    private static void geluTanh(MemorySegment o, long po, MemorySegment g, long pg, MemorySegment x, long px, int n) {
        FloatVector one = FloatVector.broadcast(FLOATS, 1f);
        FloatVector scale = FloatVector.broadcast(FLOATS, (float) CpuGeluKernel.TANH_SCALE);
        FloatVector minusTwoScale = FloatVector.broadcast(FLOATS, (float) (-2 * CpuGeluKernel.TANH_SCALE));
        FloatVector minusTwoCubic = FloatVector.broadcast(FLOATS, (float) (-2 * CpuGeluKernel.TANH_SCALE * CpuGeluKernel.TANH_CUBIC));
        FloatVector slopeScale = FloatVector.broadcast(FLOATS, (float) (3 * CpuGeluKernel.TANH_SCALE * CpuGeluKernel.TANH_CUBIC));
        int bound = FLOATS.loopBound(n);
        int i = 0;
        if (g == null) {
            for (; i < bound; i += LANES) {
                FloatVector v = FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER);
                FloatVector e = VectorFloatLoops.exp(v.mul(v).fma(minusTwoCubic, minusTwoScale).mul(v));
                v.div(one.add(e)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
            for (; i < n; i++) {
                o.setAtIndex(FLOAT, po + i, (float) CpuGeluKernel.gelu(x.getAtIndex(FLOAT, px + i), true));
            }
            return;
        }
        for (; i < bound; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER);
            FloatVector square = v.mul(v);
            FloatVector e = VectorFloatLoops.exp(square.fma(minusTwoCubic, minusTwoScale).mul(v));
            FloatVector s = one.div(one.add(e));
            FloatVector complement = one.sub(s).blend(e.mul(s), v.compare(VectorOperators.GE, 0f));
            FloatVector inner = square.fma(slopeScale, scale);
            FloatVector slope = v.add(v).mul(s).mul(complement).fma(inner, s);
            FloatVector.fromMemorySegment(FLOATS, g, (pg + i) * Float.BYTES, ORDER).mul(slope).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, (float) (g.getAtIndex(FLOAT, pg + i) * CpuGeluKernel.derivative(x.getAtIndex(FLOAT, px + i), true)));
        }
    }

    // ---------------------------------------------------------------- layer normalization

    /**
     * The mean of a row of {@code n} floats and {@code 1 / sqrt(var + eps)} with the biased variance of the centered
     * row (two passes, so a large mean does not cancel), as the bits of two floats: the mean high, the inverse low.
     * Only scalars leave this method, so its vectors stay in registers.
     */
    private static long rowStatistics(MemorySegment x, long px, int n, float eps) {
        int bound = FLOATS.loopBound(n);
        FloatVector acc = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i < bound; i += LANES) {
            acc = acc.add(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER));
        }
        float sum = VectorFloatLoops.sumInOrder(acc);
        for (; i < n; i++) {
            sum += x.getAtIndex(FLOAT, px + i);
        }
        float mean = sum / n;
        FloatVector shift = FloatVector.broadcast(FLOATS, mean);
        FloatVector squares = FloatVector.zero(FLOATS);
        for (i = 0; i < bound; i += LANES) {
            FloatVector centered = FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sub(shift);
            squares = centered.fma(centered, squares);
        }
        float squareSum = VectorFloatLoops.sumInOrder(squares);
        for (; i < n; i++) {
            float centered = x.getAtIndex(FLOAT, px + i) - mean;
            squareSum += centered * centered;
        }
        float inverse = (float) (1 / Math.sqrt(squareSum / n + eps));
        return (long) Float.floatToRawIntBits(mean) << 32 | Float.floatToRawIntBits(inverse) & 0xFFFFFFFFL;
    }

    /**
     * Normalizes one row of {@code n} contiguous floats as the composite does, with the biased variance of the centered
     * row (two passes, so a large mean does not cancel): {@code o = (x - mean) / sqrt(var + eps) * w + b}.
     */
    static void layerNormRow(MemorySegment o, long po, MemorySegment x, long px, MemorySegment w, long pw, MemorySegment b, long pb,
            int n, float eps) {
        long statistics = rowStatistics(x, px, n, eps);
        float mean = Float.intBitsToFloat((int) (statistics >>> 32));
        float inverse = Float.intBitsToFloat((int) statistics);
        int bound = FLOATS.loopBound(n);
        int i;
        FloatVector shift = FloatVector.broadcast(FLOATS, mean);
        FloatVector scale = FloatVector.broadcast(FLOATS, inverse);
        for (i = 0; i < bound; i += LANES) {
            FloatVector normalized = FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sub(shift).mul(scale);
            FloatVector weight = FloatVector.fromMemorySegment(FLOATS, w, (pw + i) * Float.BYTES, ORDER);
            normalized.fma(weight, FloatVector.fromMemorySegment(FLOATS, b, (pb + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
        }
        for (; i < n; i++) {
            float normalized = (x.getAtIndex(FLOAT, px + i) - mean) * inverse;
            o.setAtIndex(FLOAT, po + i, Math.fma(normalized, w.getAtIndex(FLOAT, pw + i), b.getAtIndex(FLOAT, pb + i)));
        }
    }

    /**
     * The gradients of one normalized row of {@code n} floats: with {@code xhat = (x - mean) r}, {@code r = 1 /
     * sqrt(var + eps)} recomputed from {@code x}, and {@code gw = g w}, writes
     * {@code o = r (gw - mean(gw) - xhat mean(gw xhat))} and adds {@code g xhat} and {@code g} to the weight's and the
     * bias's partial gradients {@code dw[0, n)} and {@code dw[n, 2n)}.
     */
    static void layerNormBackwardRow(MemorySegment o, long po, MemorySegment g, long pg, MemorySegment x, long px, MemorySegment w, long pw,
            float[] dw, int n, float eps) {
        long statistics = rowStatistics(x, px, n, eps);
        float mean = Float.intBitsToFloat((int) (statistics >>> 32));
        float inverse = Float.intBitsToFloat((int) statistics);
        int bound = FLOATS.loopBound(n);
        int i;
        FloatVector shift = FloatVector.broadcast(FLOATS, mean);
        FloatVector scale = FloatVector.broadcast(FLOATS, inverse);
        FloatVector gwSum = FloatVector.zero(FLOATS);
        FloatVector gwXhatSum = FloatVector.zero(FLOATS);
        for (i = 0; i < bound; i += LANES) {
            FloatVector xhat = FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sub(shift).mul(scale);
            FloatVector gradient = FloatVector.fromMemorySegment(FLOATS, g, (pg + i) * Float.BYTES, ORDER);
            FloatVector gw = gradient.mul(FloatVector.fromMemorySegment(FLOATS, w, (pw + i) * Float.BYTES, ORDER));
            gwSum = gwSum.add(gw);
            gwXhatSum = gw.fma(xhat, gwXhatSum);
            gradient.fma(xhat, FloatVector.fromArray(FLOATS, dw, i)).intoArray(dw, i);
            gradient.add(FloatVector.fromArray(FLOATS, dw, n + i)).intoArray(dw, n + i);
        }
        float a = VectorFloatLoops.sumInOrder(gwSum);
        float c = VectorFloatLoops.sumInOrder(gwXhatSum);
        for (; i < n; i++) {
            float xhat = (x.getAtIndex(FLOAT, px + i) - mean) * inverse;
            float gradient = g.getAtIndex(FLOAT, pg + i);
            float gw = gradient * w.getAtIndex(FLOAT, pw + i);
            a += gw;
            c += gw * xhat;
            dw[i] += gradient * xhat;
            dw[n + i] += gradient;
        }
        float meanGw = a / n;
        float meanGwXhat = c / n;
        FloatVector offset = FloatVector.broadcast(FLOATS, meanGw);
        FloatVector slope = FloatVector.broadcast(FLOATS, meanGwXhat);
        for (i = 0; i < bound; i += LANES) {
            FloatVector xhat = FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sub(shift).mul(scale);
            FloatVector gw = FloatVector.fromMemorySegment(FLOATS, g, (pg + i) * Float.BYTES, ORDER)
                    .mul(FloatVector.fromMemorySegment(FLOATS, w, (pw + i) * Float.BYTES, ORDER));
            gw.sub(offset).sub(xhat.mul(slope)).mul(scale).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
        }
        for (; i < n; i++) {
            float xhat = (x.getAtIndex(FLOAT, px + i) - mean) * inverse;
            float gw = g.getAtIndex(FLOAT, pg + i) * w.getAtIndex(FLOAT, pw + i);
            o.setAtIndex(FLOAT, po + i, (gw - meanGw - xhat * meanGwXhat) * inverse);
        }
    }
}
