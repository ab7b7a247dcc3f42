package dev.crossbar.spi.codegen;

import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.memory.CachingAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Every op of {@link KernelGenerator} run on a {@link StreamDevice}: generates the kernel in one dialect (once per op and
 * type), packs its arguments from the views' shapes, layouts and addresses, launches it on the device that owns the
 * output and turns fault words into the exceptions the cpu backend throws. A GPU backend's {@code @Kernel} classes,
 * which declare its cells, call these methods; the views' buffers must be {@link StreamBuffer}s of that backend.
 */
public final class GeneratedOps {
    private final KernelGenerator generator;
    private final String backend;
    private final Map<String, GeneratedKernel> generated = new ConcurrentHashMap<>();

    /**
     * Creates the ops of a backend.
     *
     * @param dialect the dialect its compiler reads
     * @param backend the backend's name, which owns the buffers
     */
    public GeneratedOps(Dialect dialect, String backend) {
        this.generator = new KernelGenerator(dialect);
        this.backend = backend;
    }

    /**
     * Fills the output with one value (op {@code full}).
     *
     * @param out the output
     * @param value the value
     */
    public void fill(TensorView out, double value) {
        GeneratedKernel kernel = generated("fill", out.dtype(), () -> generator.fill(out.dtype()));
        overOutput(kernel, out, arguments -> arguments.f64(value));
    }

    /**
     * Counts along one axis (op {@code iota}).
     *
     * @param out the output
     * @param axis the counting axis
     */
    public void iota(TensorView out, int axis) {
        GeneratedKernel kernel = generated("iota", out.dtype(), () -> generator.iota(out.dtype()));
        overOutput(kernel, out, arguments -> arguments.i64(axis));
    }

    /**
     * Draws Philox4x32-10 numbers, four per thread (ops {@code rng_uniform} and {@code rng_normal}).
     *
     * @param op the op
     * @param out the output
     * @param seed the Philox key
     * @param offset the Philox counter offset
     * @param a the low bound or mean
     * @param b the high bound or standard deviation
     */
    public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
        GeneratedKernel kernel = generated(op.opName(), out.dtype(), () -> generator.random(op, out.dtype()));
        long n = out.size();
        device(out).launch(kernel, Math.ceilDiv(n, 4), arguments -> output(arguments.i64(n).dims(ShapeDescriptor.of(out.shape())), out)
                .i64(seed).i64(offset).f64(a).f64(b));
    }

    /**
     * Applies an element-wise unary op.
     *
     * @param op the op
     * @param out the output
     * @param in the input
     */
    public void unary(Op op, TensorView out, TensorView in) {
        GeneratedKernel kernel = generated(op.opName(), in.dtype(), () -> generator.unary(op, in.dtype()));
        overOutput(kernel, out, arguments -> input(arguments, in, LayoutDescriptor.of(in)));
    }

    /**
     * Applies an element-wise binary op with broadcasting; integer division checks for zero divisors.
     *
     * @param op the op
     * @param out the output
     * @param a the left operand
     * @param b the right operand
     * @throws ArithmeticException on an integer division by zero, naming the position
     */
    public void binary(Op op, TensorView out, TensorView a, TensorView b) {
        GeneratedKernel kernel = generated(op.opName(), out.dtype(), () -> generator.binary(op, out.dtype()));
        Consumer<KernelArguments> operands = arguments -> input(input(arguments, a, LayoutDescriptor.broadcast(a, out.shape())), b,
                LayoutDescriptor.broadcast(b, out.shape()));
        if (op != Op.DIV || out.dtype().isFloating()) {
            overOutput(kernel, out, operands);
            return;
        }
        long fault = device(out).launchReportingFault(kernel, out.size(), arguments -> operands.accept(output(header(arguments, out.shape()), out)));
        if (fault != 0) {
            throw new ArithmeticException(String.format(Locale.ROOT,
                    "div: integer division by zero at position %s of %s%s; make the divisors non-zero (for example with Tensor.where) or divide in a"
                            + " floating type", Arrays.toString(coordinates(fault - 1, out.shape())), out.dtype().shortName(), out.shape()));
        }
    }

    /**
     * Applies an element-wise comparison with broadcasting.
     *
     * @param op the op
     * @param out the bool output
     * @param a the left operand
     * @param b the right operand
     */
    public void compare(Op op, TensorView out, TensorView a, TensorView b) {
        GeneratedKernel kernel = generated(op.opName(), a.dtype(), () -> generator.compare(op, a.dtype()));
        overOutput(kernel, out, arguments -> input(input(arguments, a, LayoutDescriptor.broadcast(a, out.shape())), b,
                LayoutDescriptor.broadcast(b, out.shape())));
    }

    /**
     * Picks from two operands by a condition, with broadcasting (op {@code select}).
     *
     * @param out the output
     * @param cond the bool condition
     * @param a where the condition holds
     * @param b elsewhere
     */
    public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
        GeneratedKernel kernel = generated("select", out.dtype(), () -> generator.select(out.dtype()));
        overOutput(kernel, out, arguments -> input(input(input(arguments, cond, LayoutDescriptor.broadcast(cond, out.shape())), a,
                LayoutDescriptor.broadcast(a, out.shape())), b, LayoutDescriptor.broadcast(b, out.shape())));
    }

    /**
     * Converts to the output's type (op {@code cast}).
     *
     * @param out the output of the target type
     * @param in the input
     */
    public void cast(TensorView out, TensorView in) {
        GeneratedKernel kernel = generated("cast_" + out.dtype().shortName(), in.dtype(), () -> generator.cast(in.dtype(), out.dtype()));
        overOutput(kernel, out, arguments -> input(arguments, in, LayoutDescriptor.of(in)));
    }

    /**
     * Reduces over some axes (ops {@code reduce_sum}, {@code reduce_max} and {@code reduce_min}).
     *
     * @param op the op
     * @param out the output, the input's shape without the axes
     * @param in the input
     * @param axes the reduced axes
     */
    public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
        GeneratedKernel kernel = generated(op.opName(), in.dtype(), () -> generator.reduce(op, in.dtype()));
        ReductionDescriptors reduction = ReductionDescriptors.of(in, axes);
        overOutput(kernel, out, arguments -> input(arguments, in, reduction.kept()).dims(reduction.reducedShape()).layout(reduction.reduced())
                .i64(reduction.reducedShape().elementCount()));
    }

    /**
     * Finds the first index of the maximum along one axis (op {@code argmax}).
     *
     * @param out the i64 output
     * @param in the input
     * @param axis the axis
     */
    public void argmax(TensorView out, TensorView in, int axis) {
        GeneratedKernel kernel = generated("argmax", in.dtype(), () -> generator.argmax(in.dtype()));
        overOutput(kernel, out, arguments -> input(arguments, in, LayoutDescriptor.of(in).withoutAxis(axis)).i64(in.shape().dim(axis))
                .i64(in.stride(axis)));
    }

    /**
     * Copies a strided view into another of the same shape.
     *
     * @param out the output
     * @param in the input
     */
    public void copy(TensorView out, TensorView in) {
        GeneratedKernel kernel = generated("copy", in.dtype(), () -> generator.copy(in.dtype()));
        overOutput(kernel, out, arguments -> arguments.dims(ShapeDescriptor.of(in.shape())).pointer(address(in)).layout(LayoutDescriptor.of(in)));
    }

    /**
     * Concatenates along one axis, {@link KernelGenerator#CONCAT_INPUTS} inputs per launch (op {@code concat}).
     *
     * @param out the output
     * @param inputs the inputs in order
     * @param axis the axis
     */
    public void concat(TensorView out, List<TensorView> inputs, int axis) {
        GeneratedKernel kernel = generated("concat", out.dtype(), () -> generator.concat(out.dtype()));
        long[] windowSizes = ShapeDescriptor.of(out.shape()).sizes();
        long start = 0;
        for (int from = 0; from < inputs.size(); from += KernelGenerator.CONCAT_INPUTS) {
            List<TensorView> window = inputs.subList(from, Math.min(inputs.size(), from + KernelGenerator.CONCAT_INPUTS));
            long[] ends = new long[window.size()];
            long extent = 0;
            for (int i = 0; i < ends.length; i++) {
                extent += window.get(i).shape().dim(axis);
                ends[i] = extent;
            }
            windowSizes[axis] = extent;
            ShapeDescriptor dims = new ShapeDescriptor(windowSizes);
            long n = dims.elementCount();
            LayoutDescriptor windowLayout = new LayoutDescriptor(out.offset() + start * out.stride(axis), out.strides());
            int rank = out.shape().rank();
            device(out).launch(kernel, n, arguments -> {
                arguments.i64(n).dims(dims).pointer(address(out)).layout(windowLayout).i64(axis);
                for (int slot = 0; slot < KernelGenerator.CONCAT_INPUTS; slot++) {
                    if (slot < window.size()) {
                        input(arguments, window.get(slot), LayoutDescriptor.of(window.get(slot))).i64(ends[slot]);
                    } else {
                        arguments.pointer(0).layout(new LayoutDescriptor(0, new long[rank])).i64(ends[ends.length - 1]);
                    }
                }
            });
            start += extent;
        }
    }

    /**
     * Pads with a constant (op {@code pad}).
     *
     * @param out the output
     * @param in the input
     * @param low the padding before each axis
     * @param value the padding value
     */
    public void pad(TensorView out, TensorView in, int[] low, double value) {
        GeneratedKernel kernel = generated("pad", out.dtype(), () -> generator.pad(out.dtype()));
        overOutput(kernel, out, arguments -> input(arguments, in, LayoutDescriptor.of(in)).dims(ShapeDescriptor.of(in.shape()))
                .dims(new ShapeDescriptor(Arrays.stream(low).asLongStream().toArray())).f64(value));
    }

    /**
     * Gathers along one axis (op {@code gather}).
     *
     * @param out the output, of the index's shape
     * @param in the input
     * @param index i32 or i64 indices
     * @param axis the axis
     * @throws IndexOutOfBoundsException naming an index out of range and its position
     */
    public void gather(TensorView out, TensorView in, TensorView index, int axis) {
        requireIndexType("gather", index);
        GeneratedKernel kernel = generated("gather_" + index.dtype().shortName(), in.dtype(), () -> generator.gather(in.dtype(), index.dtype()));
        int limit = in.shape().dim(axis);
        long fault = device(out).launchReportingFault(kernel, index.size(), arguments -> input(input(
                output(header(arguments, index.shape()), out), index, LayoutDescriptor.of(index)), in,
                new LayoutDescriptor(in.offset(), in.strides()).withoutAxis(axis)).i64(limit).i64(in.stride(axis)));
        checkIndexFault("gather", fault, index, limit, axis);
    }

    /**
     * Adds values at indices along one axis with atomic adds (op {@code scatter_add}).
     *
     * @param out the output, added to
     * @param index i32 or i64 indices
     * @param src the values, of the index's shape
     * @param axis the axis
     * @throws IndexOutOfBoundsException naming an index out of range and its position
     */
    public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
        requireIndexType("scatter_add", index);
        GeneratedKernel kernel = generated("scatter_add_" + index.dtype().shortName(), out.dtype(), () -> generator.scatterAdd(out.dtype(), index.dtype()));
        int limit = out.shape().dim(axis);
        long fault = device(out).launchReportingFault(kernel, index.size(), arguments -> input(input(
                header(arguments, index.shape()).pointer(address(out)).layout(LayoutDescriptor.of(out).withoutAxis(axis)), index,
                LayoutDescriptor.of(index)), src, LayoutDescriptor.of(src)).i64(limit).i64(out.stride(axis)));
        checkIndexFault("scatter_add", fault, index, limit, axis);
    }

    /**
     * Runs dot_general with the generated {@link KernelGenerator#matmul} kernel: a over the output's shape without its
     * column axis, b without its row axis. A backend runs it where its vendor BLAS has no GEMM for the type.
     *
     * @param out the output
     * @param a the left operand
     * @param b the right operand
     */
    public void matmul(TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        int k = a.shape().dim(a.shape().rank() - 1);
        int[] aShape = out.shape().dims();
        aShape[rank - 1] = k;
        int[] bShape = out.shape().dims();
        bShape[rank - 2] = k;
        TensorView left = a.broadcastTo(Shape.of(aShape));
        TensorView right = b.broadcastTo(Shape.of(bShape));
        long[] leftStrides = left.strides();
        long leftK = leftStrides[rank - 1];
        leftStrides[rank - 1] = 0;
        long[] rightStrides = right.strides();
        long rightK = rightStrides[rank - 2];
        rightStrides[rank - 2] = 0;
        GeneratedKernel kernel = generated("dot_general", out.dtype(), () -> generator.matmul(out.dtype()));
        overOutput(kernel, out, arguments -> arguments.pointer(address(a)).layout(new LayoutDescriptor(left.offset(), leftStrides))
                .pointer(address(b)).layout(new LayoutDescriptor(right.offset(), rightStrides)).i64(k).i64(leftK).i64(rightK));
    }

    /**
     * A matmul operand as a column-major BLAS reads it (the row-major {@code C = A B} as {@code C^T = B^T A^T}):
     * row-major matrices one batch stride apart, either the view's own memory or a contiguous copy of it that closing
     * frees.
     *
     * @param device the device
     * @param address the first matrix's address
     * @param batchStride elements between consecutive matrices, 0 when every batch reuses one
     * @param copy the copy's block, or null when the view's own memory is read
     */
    public record BlasOperand(StreamDevice device, long address, long batchStride, CachingAllocator.Block copy) implements AutoCloseable {
        @Override
        public void close() {
            if (copy != null) {
                device.free(copy);
            }
        }
    }

    /**
     * Returns a matmul operand for a BLAS call, copying it to contiguous memory with the generated copy kernel when its
     * batch dimensions do not collapse to one stride or its matrices are not row-major.
     *
     * @param view the operand
     * @param batchDims the output's batch dimensions
     * @param rows the operand's matrix rows
     * @param columns the operand's matrix columns
     * @return the operand, to close after the call is queued
     */
    public BlasOperand blasOperand(TensorView view, int[] batchDims, int rows, int columns) {
        StreamDevice device = device(view);
        int[] full = Arrays.copyOf(batchDims, batchDims.length + 2);
        full[batchDims.length] = rows;
        full[batchDims.length + 1] = columns;
        TensorView broadcast = view.broadcastTo(Shape.of(full));
        int size = view.dtype().byteSize();
        long stride = uniformBatchStride(broadcast, batchDims, rows, columns);
        if (stride >= 0) {
            return new BlasOperand(device, address(view) + broadcast.offset() * size, stride, null);
        }
        CachingAllocator.Block block = device.allocate(broadcast.size() * size);
        GeneratedKernel kernel = generated("copy", broadcast.dtype(), () -> generator.copy(broadcast.dtype()));
        ShapeDescriptor dims = ShapeDescriptor.of(broadcast.shape());
        long n = dims.elementCount();
        device.launch(kernel, n, arguments -> arguments.i64(n).dims(dims).pointer(block.address())
                .layout(new LayoutDescriptor(0, broadcast.shape().contiguousStrides())).dims(dims).pointer(address(broadcast))
                .layout(LayoutDescriptor.of(broadcast)));
        return new BlasOperand(device, block.address(), (long) rows * columns, block);
    }

    /**
     * Returns the one stride between consecutive matrices of a broadcast operand, 0 when every batch reuses one
     * matrix, or -1 when the matrices are not row-major or their batch strides do not collapse to one.
     *
     * @param operand the operand broadcast to the batch dimensions
     * @param batchDims the batch dimensions
     * @param rows the matrix rows
     * @param columns the matrix columns
     * @return the stride in elements, or -1
     */
    public static long uniformBatchStride(TensorView operand, int[] batchDims, int rows, int columns) {
        int rank = operand.shape().rank();
        if ((columns > 1 && operand.stride(rank - 1) != 1) || (rows > 1 && operand.stride(rank - 2) != columns)) {
            return -1;
        }
        long stride = -1;
        long inner = 1;
        for (int axis = batchDims.length - 1; axis >= 0; axis--) {
            if (batchDims[axis] == 1) {
                continue;
            }
            long s = operand.stride(axis);
            if (stride < 0) {
                stride = s;
            } else if (s != stride * inner) {
                return -1;
            }
            inner *= batchDims[axis];
        }
        return Math.max(stride, 0);
    }

    /**
     * Returns the device that owns a view's memory.
     *
     * @param view a view of this backend's memory
     * @return the device
     */
    public StreamDevice device(TensorView view) {
        return StreamBuffer.own(view.buffer(), backend).owner();
    }

    /**
     * Returns the device address of a view's buffer (not of its first element: add the offset).
     *
     * @param view a view of this backend's memory
     * @return the address
     */
    public long address(TensorView view) {
        return StreamBuffer.own(view.buffer(), backend).address();
    }

    private GeneratedKernel generated(String name, DType dtype, Supplier<GeneratedKernel> kernel) {
        return generated.computeIfAbsent(name + "/" + dtype.shortName(), key -> kernel.get());
    }

    /** Launches a kernel that iterates its output's shape: {@code n, dims, out, out_layout}, then the rest. */
    private void overOutput(GeneratedKernel kernel, TensorView out, Consumer<KernelArguments> rest) {
        device(out).launch(kernel, out.size(), arguments -> rest.accept(output(header(arguments, out.shape()), out)));
    }

    private static KernelArguments header(KernelArguments arguments, Shape iterated) {
        return arguments.i64(iterated.size()).dims(ShapeDescriptor.of(iterated));
    }

    private KernelArguments output(KernelArguments arguments, TensorView out) {
        return arguments.pointer(address(out)).layout(LayoutDescriptor.of(out));
    }

    private KernelArguments input(KernelArguments arguments, TensorView in, LayoutDescriptor layout) {
        return arguments.pointer(address(in)).layout(layout);
    }

    private static void requireIndexType(String op, TensorView index) {
        if (index.dtype() != I32 && index.dtype() != I64) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: the index has type %s; indices must be i32 or i64, cast them first", op,
                    index.dtype().shortName()));
        }
    }

    /** Turns a gather or scatter fault word into the exception the cpu backend throws, reading the bad index back. */
    private void checkIndexFault(String op, long fault, TensorView index, int limit, int axis) {
        if (fault == 0) {
            return;
        }
        long[] position = coordinates(fault - 1, index.shape());
        long element = index.offset();
        for (int d = 0; d < position.length; d++) {
            element += position[d] * index.stride(d);
        }
        long bad;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(index.dtype().byteSize());
            device(index).copyToHost(address(index) + element * index.dtype().byteSize(), host);
            bad = index.dtype() == I32 ? host.get(ValueLayout.JAVA_INT, 0) : host.get(ValueLayout.JAVA_LONG, 0);
        }
        throw new IndexOutOfBoundsException(String.format(Locale.ROOT,
                "%s: index %d at position %s is out of range [0, %d) for axis %d; indices must satisfy 0 <= index < %d",
                op, bad, Arrays.toString(position), limit, axis, limit));
    }

    /**
     * Returns the coordinates of a row-major position in a shape.
     *
     * @param position the position
     * @param shape the shape
     * @return the coordinates
     */
    public static long[] coordinates(long position, Shape shape) {
        long[] coordinates = new long[shape.rank()];
        long rest = position;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            coordinates[d] = rest % shape.dim(d);
            rest /= shape.dim(d);
        }
        return coordinates;
    }
}
