package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.GeluKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GELU and its derivative over contiguous F32 tensors, each in one pass (the composite takes five and its backward
 * as many again): in F32 with the vector loops when available, else in double.
 */
final class CpuGeluKernel implements GeluKernel {
    /** {@code sqrt(2 / pi)}, the tanh form's scale. */
    static final double TANH_SCALE = Math.sqrt(2 / Math.PI);
    /** The tanh form's cubic coefficient. */
    static final double TANH_CUBIC = 0.044715;
    /** {@code 1 / sqrt(2 pi)}, the Gaussian density at 0. */
    static final double DENSITY_SCALE = 1 / Math.sqrt(2 * Math.PI);

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public boolean serves(TensorView tensor) {
        return tensor.dtype() == DType.F32 && tensor.size() > 0 && tensor.isContiguous();
    }

    @Override
    public void gelu(TensorView out, TensorView in, boolean tanh) {
        MemorySegment o = HostTensor.of(out).memory();
        MemorySegment x = HostTensor.of(in).memory();
        long po = out.offset();
        long px = in.offset();
        boolean vector = Simd.AVAILABLE;
        KernelPool.forEachRange(in.size(), 16, (start, end) -> {
            if (vector) {
                VectorFloatLoops.gelu(o, po + start, x, px + start, Math.toIntExact(end - start), tanh);
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
        boolean vector = Simd.AVAILABLE;
        KernelPool.forEachRange(in.size(), 24, (start, end) -> {
            if (vector) {
                VectorFloatLoops.geluBackward(o, po + start, g, pg + start, x, px + start, Math.toIntExact(end - start), tanh);
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
