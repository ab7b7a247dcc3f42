package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.SoftmaxKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Softmax and log-softmax of contiguous F32 rows in one kernel: rows in parallel, each with the vector loops when
 * available, else in double; BF16 rows with the vector loops only, widened exactly and rounded once.
 */
final class CpuSoftmaxKernel implements SoftmaxKernel {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public boolean serves(TensorView in) {
        boolean type = in.dtype() == DType.F32 || (in.dtype() == DType.BF16 && Simd.AVAILABLE);
        return type && in.shape().rank() >= 1 && in.size() > 0 && in.isContiguous();
    }

    @Override
    public void softmax(TensorView out, TensorView in, boolean log) {
        MemorySegment o = HostTensor.of(out).memory();
        MemorySegment x = HostTensor.of(in).memory();
        int n = in.shape().dim(in.shape().rank() - 1);
        long po = out.offset();
        long px = in.offset();
        if (in.dtype() == DType.BF16) {
            KernelPool.forEachRange(in.size() / n, 8L * n, (start, end) -> {
                MemorySegment row = FusedFloatLoops.rows().floats(2L * n);
                for (long r = start; r < end; r++) {
                    VectorFloatLoops.bf16ToFloat(row, 0, x, px + r * n, n);
                    VectorFloatLoops.softmaxRow(row, n, row, 0, n, log);
                    VectorFloatLoops.floatToBf16(o, po + r * n, row, n, n);
                }
            });
            return;
        }
        boolean vector = Simd.AVAILABLE;
        KernelPool.forEachRange(in.size() / n, 8L * n, (start, end) -> {
            for (long row = start; row < end; row++) {
                if (vector) {
                    VectorFloatLoops.softmaxRow(o, po + row * n, x, px + row * n, n, log);
                } else {
                    scalarRow(o, po + row * n, x, px + row * n, n, log);
                }
            }
        });
    }

    private static void scalarRow(MemorySegment o, long po, MemorySegment x, long px, int n, boolean log) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x.getAtIndex(FLOAT, px + i));
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) x.getAtIndex(FLOAT, px + i) - max);
        }
        double logSum = Math.log(sum);
        for (int i = 0; i < n; i++) {
            double shifted = (double) x.getAtIndex(FLOAT, px + i) - max;
            o.setAtIndex(FLOAT, po + i, (float) (log ? shifted - logSum : Math.exp(shifted) / sum));
        }
    }
}
