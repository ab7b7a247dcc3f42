package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.F8E4M3FN;
import static dev.crossbar.api.DType.F8E5M2;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.PadKernel;
import java.util.Arrays;
import java.util.Locale;

/** Fills the output with the padding value, then copies the input into its window. */
@Kernel(op = Op.PAD, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
final class CpuPadKernel implements PadKernel {
    private final CpuFillKernel fill = new CpuFillKernel();
    private final CpuCopyKernel copy = new CpuCopyKernel();

    @Override
    public void pad(TensorView out, TensorView in, int[] low, int[] high, double value) {
        int rank = in.shape().rank();
        if (low.length != rank || high.length != rank || Arrays.stream(low).anyMatch(p -> p < 0) || Arrays.stream(high).anyMatch(p -> p < 0)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "pad: low %s and high %s need %d non-negative entries, one per axis of %s", Arrays.toString(low), Arrays.toString(high), rank, in.shape()));
        }
        fill.fill(out, value);
        long start = out.offset();
        for (int axis = 0; axis < rank; axis++) {
            start += low[axis] * out.stride(axis);
        }
        copy.copy(new TensorView(out.buffer(), out.dtype(), in.shape(), out.strides(), start), in);
    }
}
