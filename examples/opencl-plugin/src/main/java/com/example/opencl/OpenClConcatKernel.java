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
import dev.crossbar.spi.codegen.KernelGenerator;
import dev.crossbar.spi.codegen.LayoutDescriptor;
import dev.crossbar.spi.codegen.ShapeDescriptor;
import dev.crossbar.spi.kernel.ConcatKernel;
import java.util.ArrayList;
import java.util.List;

/** Joins inputs along an axis, {@link KernelGenerator#CONCAT_INPUTS} at a time into consecutive windows of the output. */
@Kernel(op = Op.CONCAT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class OpenClConcatKernel extends OpenClKernel implements ConcatKernel {
    OpenClConcatKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void concat(TensorView out, List<TensorView> inputs, int axis) {
        GeneratedKernel k = kernel("concat " + out.dtype(), () -> generator().concat(out.dtype()));
        long start = 0;
        for (int first = 0; first < inputs.size(); first += KernelGenerator.CONCAT_INPUTS) {
            List<TensorView> window = inputs.subList(first, Math.min(inputs.size(), first + KernelGenerator.CONCAT_INPUTS));
            long[] sizes = ShapeDescriptor.of(out.shape()).sizes();
            sizes[axis] = window.stream().mapToLong(in -> in.shape().dim(axis)).sum();
            ShapeDescriptor windowShape = new ShapeDescriptor(sizes);
            List<Object> arguments = new ArrayList<>(List.of(windowShape.elementCount(), windowShape, out.buffer(),
                    new LayoutDescriptor(out.offset() + start * out.stride(axis), out.strides()), (long) axis));
            long end = 0;
            for (int slot = 0; slot < KernelGenerator.CONCAT_INPUTS; slot++) {
                if (slot < window.size()) {
                    TensorView in = window.get(slot);
                    end += in.shape().dim(axis);
                    arguments.add(in.buffer());
                    arguments.add(layout(in));
                } else {
                    arguments.add(null);
                    arguments.add(new LayoutDescriptor(0, new long[0]));
                }
                arguments.add(end);
            }
            backend().launch(k, windowShape.elementCount(), arguments.toArray());
            start += sizes[axis];
        }
    }
}
