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
import dev.crossbar.spi.kernel.CastKernel;

/**
 * Converts between all types: from floats through double (to integers truncating, saturating, NaN to 0; to F16 and
 * BF16 rounding once to nearest even), from integers and BOOL through long (to integers wrapping).
 */
@Kernel(op = Op.CAST, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuCastKernel implements CastKernel {
    @Override
    public void cast(TensorView out, TensorView in) {
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        if (in.dtype().isFloating()) {
            StridedCursor.forEach(1, c -> o.store(c.position(0), x.load(c.position(1))), out, in);
        } else {
            StridedCursor.forEach(1, c -> o.storeLong(c.position(0), x.loadLong(c.position(1))), out, in);
        }
    }
}
