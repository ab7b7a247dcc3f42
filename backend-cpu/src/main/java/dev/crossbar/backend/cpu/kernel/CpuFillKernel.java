package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.FillKernel;

/** Writes one value everywhere, converted as a cast from F64 converts it (integers truncate and saturate). */
@Kernel(op = Op.FULL, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuFillKernel implements FillKernel {
    @Override
    public void fill(TensorView out, double value) {
        HostTensor o = HostTensor.of(out);
        StridedCursor.forEach(1, c -> o.store(c.position(0), value), out);
    }
}
