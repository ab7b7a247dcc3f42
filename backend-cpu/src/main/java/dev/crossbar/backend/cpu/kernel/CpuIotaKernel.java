package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.IotaKernel;

/** Writes each element's coordinate along one axis. */
@Kernel(op = Op.IOTA, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class CpuIotaKernel implements IotaKernel {
    @Override
    public void iota(TensorView out, int axis) {
        HostTensor o = HostTensor.of(out);
        StridedCursor.forEach(1, c -> o.storeLong(c.position(0), c.coordinate(axis)), out);
    }
}
