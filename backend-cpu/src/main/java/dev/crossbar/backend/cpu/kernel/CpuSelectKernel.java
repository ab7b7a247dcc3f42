package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.SelectKernel;

/** Picks each element's bits from one of two inputs by a BOOL condition; F32 runs that step by one in {@link VectorFloatLoops}. */
@Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuSelectKernel implements SelectKernel {
    @Override
    public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
        HostTensor o = HostTensor.of(out);
        HostTensor condition = HostTensor.of(cond);
        HostTensor x = HostTensor.of(a);
        HostTensor y = HostTensor.of(b);
        if (out.dtype() == DType.F32 && Simd.AVAILABLE) {
            InnerRuns runs = InnerRuns.of(out, cond, a, b);
            if (runs.runStride(0) == 1 && runs.runStride(1) == 1 && runs.runStride(2) == 1 && runs.runStride(3) == 1) {
                runs.forEach(1, (p, n) -> VectorFloatLoops.select(o.memory(), p[0], condition.memory(), p[1], x.memory(), p[2], y.memory(), p[3], n));
                return;
            }
        }
        StridedCursor.forEach(1, c -> o.storeBits(c.position(0),
                condition.loadLong(c.position(1)) != 0 ? x.loadBits(c.position(2)) : y.loadBits(c.position(3))), out, cond, a, b);
    }
}
