package com.example.opencl;

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
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.LayoutDescriptor;
import dev.crossbar.spi.kernel.BinaryKernel;
import java.util.Locale;

/** The binary element-wise ops on broadcast operands; integer division reports a zero divisor through the fault word. */
@Kernel(op = Op.ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.SUB, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MUL, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.DIV, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.POW, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class OpenClBinaryKernel extends OpenClKernel implements BinaryKernel {
    OpenClBinaryKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void apply(Op op, TensorView out, TensorView a, TensorView b) {
        GeneratedKernel k = kernel(op.opName() + " " + out.dtype(), () -> generator().binary(op, out.dtype()));
        Object[] arguments = {out.size(), dims(out.shape()), out.buffer(), layout(out), a.buffer(), LayoutDescriptor.broadcast(a, out.shape()),
                b.buffer(), LayoutDescriptor.broadcast(b, out.shape())};
        if (op != Op.DIV || out.dtype().isFloating()) {
            backend().launch(k, out.size(), arguments);
            return;
        }
        long fault = backend().launchChecked(k, out.size(), arguments);
        if (fault != 0) {
            throw new ArithmeticException(String.format(Locale.ROOT,
                    "div: integer division by zero at position %s of %s%s; make the divisors non-zero (for example with Tensor.where) or divide in a floating type",
                    coordinates(fault - 1, out.shape()), out.dtype().shortName(), out.shape()));
        }
    }
}
