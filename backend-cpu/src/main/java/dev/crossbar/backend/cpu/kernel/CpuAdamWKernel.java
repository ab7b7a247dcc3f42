package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.AdamWKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The AdamW update of contiguous F32 tensors in one pass over parameter, gradient and moments (the composite reads and
 * writes them in a dozen ops): in F32 with the vector loops when available, else in double.
 */
final class CpuAdamWKernel implements AdamWKernel {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public boolean serves(TensorView param, TensorView grad, TensorView m, TensorView v) {
        long size = param.size();
        for (TensorView t : new TensorView[] {param, grad, m, v}) {
            if (t.dtype() != DType.F32 || !t.isContiguous() || t.size() != size || t.offset() != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void update(TensorView param, TensorView grad, TensorView m, TensorView v, AdamWStep hyper) {
        MemorySegment p = HostTensor.of(param).memory();
        MemorySegment g = HostTensor.of(grad).memory();
        MemorySegment m1 = HostTensor.of(m).memory();
        MemorySegment v1 = HostTensor.of(v).memory();
        double lr = hyper.learningRate();
        double beta1 = hyper.beta1();
        double beta2 = hyper.beta2();
        double decay = 1 - lr * hyper.weightDecay();
        double correction1 = 1 - Math.pow(beta1, hyper.step());
        double correction2 = 1 - Math.pow(beta2, hyper.step());
        double eps = hyper.eps();
        boolean vector = Simd.AVAILABLE;
        KernelPool.forEachRange(param.size(), 16, (start, end) -> {
            if (vector) {
                VectorFloatLoops.adamW(p, g, m1, v1, start, Math.toIntExact(end - start), (float) beta1, (float) beta2, (float) lr,
                        (float) decay, (float) eps, (float) correction1, (float) correction2);
                return;
            }
            for (long i = start; i < end; i++) {
                double gradient = g.getAtIndex(FLOAT, i);
                double first = beta1 * m1.getAtIndex(FLOAT, i) + (1 - beta1) * gradient;
                double second = beta2 * v1.getAtIndex(FLOAT, i) + (1 - beta2) * gradient * gradient;
                m1.setAtIndex(FLOAT, i, (float) first);
                v1.setAtIndex(FLOAT, i, (float) second);
                double delta = lr * (first / correction1) / (Math.sqrt(second / correction2) + eps);
                p.setAtIndex(FLOAT, i, (float) (p.getAtIndex(FLOAT, i) * decay - delta));
            }
        });
    }
}
