package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.GeluKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GELU and its derivative over contiguous F32 tensors, and BF16 ones when the vector loops are available, each in one
 * pass (the composite takes five and its backward as many again): in F32 with {@link FusedFloatLoops}, BF16 widened
 * block by block and rounded once; F32 in double without the vector loops.
 */
final class CpuGeluKernel implements GeluKernel {
    /** {@code sqrt(2 / pi)}, the tanh form's scale. */
    static final double TANH_SCALE = Math.sqrt(2 / Math.PI);
    /** The tanh form's cubic coefficient. */
    static final double TANH_CUBIC = 0.044715;
    /** {@code 1 / sqrt(2 pi)}, the Gaussian density at 0. */
    static final double DENSITY_SCALE = 1 / Math.sqrt(2 * Math.PI);

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int BLOCK = FusedFloatLoops.BLOCK;

    @Override
    public boolean serves(TensorView tensor) {
        boolean type = tensor.dtype() == DType.F32 || (tensor.dtype() == DType.BF16 && Simd.AVAILABLE);
        return type && tensor.size() > 0 && tensor.isContiguous();
    }

    @Override
    public void gelu(TensorView out, TensorView in, boolean tanh) {
        MemorySegment o = HostTensor.of(out).memory();
        MemorySegment x = HostTensor.of(in).memory();
        long po = out.offset();
        long px = in.offset();
        if (in.dtype() == DType.BF16) {
            KernelPool.forEachRange(in.size(), 16, (start, end) -> {
                MemorySegment scratch = FusedFloatLoops.rows().floats(2L * BLOCK);
                for (long done = start; done < end; done += BLOCK) {
                    int m = (int) Math.min(BLOCK, end - done);
                    VectorFloatLoops.bf16ToFloat(scratch, 0, x, px + done, m);
                    FusedFloatLoops.gelu(scratch, BLOCK, scratch, 0, m, tanh);
                    VectorFloatLoops.floatToBf16(o, po + done, scratch, BLOCK, m);
                }
            });
            return;
        }
        boolean vector = Simd.AVAILABLE;
        KernelPool.forEachRange(in.size(), 16, (start, end) -> {
            if (vector) {
                FusedFloatLoops.gelu(o, po + start, x, px + start, Math.toIntExact(end - start), tanh);
                return;
            }
            for (long i = start; i < end; i++) {
                o.setAtIndex(FLOAT, po + i, (float) gelu(x.getAtIndex(FLOAT, px + i), tanh));
            }
        });
    }

    @Override
    public void geluBackward(TensorView gradIn, TensorView gradOut, TensorView in, boolean tanh) {
        MemorySegment o = HostTensor.of(gradIn).memory();
        MemorySegment g = HostTensor.of(gradOut).memory();
        MemorySegment x = HostTensor.of(in).memory();
        long po = gradIn.offset();
        long pg = gradOut.offset();
        long px = in.offset();
        if (in.dtype() == DType.BF16) {
            KernelPool.forEachRange(in.size(), 24, (start, end) -> {
                MemorySegment scratch = FusedFloatLoops.rows().floats(3L * BLOCK);
                for (long done = start; done < end; done += BLOCK) {
                    int m = (int) Math.min(BLOCK, end - done);
                    VectorFloatLoops.bf16ToFloat(scratch, 0, x, px + done, m);
                    VectorFloatLoops.bf16ToFloat(scratch, BLOCK, g, pg + done, m);
                    FusedFloatLoops.geluBackward(scratch, 2 * BLOCK, scratch, BLOCK, scratch, 0, m, tanh);
                    VectorFloatLoops.floatToBf16(o, po + done, scratch, 2 * BLOCK, m);
                }
            });
            return;
        }
        boolean vector = Simd.AVAILABLE;
        KernelPool.forEachRange(in.size(), 24, (start, end) -> {
            if (vector) {
                FusedFloatLoops.geluBackward(o, po + start, g, pg + start, x, px + start, Math.toIntExact(end - start), tanh);
                return;
            }
            for (long i = start; i < end; i++) {
                o.setAtIndex(FLOAT, po + i, (float) (g.getAtIndex(FLOAT, pg + i) * derivative(x.getAtIndex(FLOAT, px + i), tanh)));
            }
        });
    }

    /** {@code x Phi(x)} in double, exact or in the tanh form. */
    static double gelu(double x, boolean tanh) {
        if (tanh) {
            return 0.5 * x * (1 + Math.tanh(TANH_SCALE * (x + TANH_CUBIC * x * x * x)));
        }
        return 0.5 * x * (1 + ErrorFunction.erf(x / Math.sqrt(2)));
    }

    /** The derivative of {@link #gelu} in double. */
    static double derivative(double x, boolean tanh) {
        if (tanh) {
            double t = Math.tanh(TANH_SCALE * (x + TANH_CUBIC * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * TANH_SCALE * (1 + 3 * TANH_CUBIC * x * x);
        }
        return 0.5 * (1 + ErrorFunction.erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) * DENSITY_SCALE;
    }
}
