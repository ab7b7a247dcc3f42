package com.example.opencl;

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
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.ShapeDescriptor;
import dev.crossbar.spi.kernel.PadKernel;
import java.util.Arrays;

/** The input in its window of the output, the padding value around it. */
@Kernel(op = Op.PAD, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class OpenClPadKernel extends OpenClKernel implements PadKernel {
    OpenClPadKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void pad(TensorView out, TensorView in, int[] low, int[] high, double value) {
        GeneratedKernel k = kernel("pad " + out.dtype(), () -> generator().pad(out.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), in.buffer(), layout(in), dims(in.shape()),
                new ShapeDescriptor(Arrays.stream(low).asLongStream().toArray()), value);
    }
}
