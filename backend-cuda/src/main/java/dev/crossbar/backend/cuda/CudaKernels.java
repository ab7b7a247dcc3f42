package dev.crossbar.backend.cuda;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelArguments;
import dev.crossbar.spi.codegen.KernelGenerator;
import dev.crossbar.spi.codegen.LayoutDescriptor;
import dev.crossbar.spi.codegen.ReductionDescriptors;
import dev.crossbar.spi.codegen.ShapeDescriptor;
import dev.crossbar.spi.kernel.ArgReduceKernel;
import dev.crossbar.spi.kernel.BinaryKernel;
import dev.crossbar.spi.kernel.CastKernel;
import dev.crossbar.spi.kernel.CompareKernel;
import dev.crossbar.spi.kernel.ConcatKernel;
import dev.crossbar.spi.kernel.CopyKernel;
import dev.crossbar.spi.kernel.FillKernel;
import dev.crossbar.spi.kernel.GatherKernel;
import dev.crossbar.spi.kernel.IotaKernel;
import dev.crossbar.spi.kernel.MatmulKernel;
import dev.crossbar.spi.kernel.OpKernel;
import dev.crossbar.spi.kernel.PadKernel;
import dev.crossbar.spi.kernel.ReduceKernel;
import dev.crossbar.spi.kernel.RngKernel;
import dev.crossbar.spi.kernel.ScatterAddKernel;
import dev.crossbar.spi.kernel.SelectKernel;
import dev.crossbar.spi.kernel.UnaryKernel;
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
 * The CUDA kernels: every op but dot_general runs a kernel of {@link KernelGenerator} in the CUDA dialect, compiled
 * by NVRTC for the device and launched on its stream; dot_general runs cuBLAS. The {@link Kernel} annotations here
 * are the backend's cells.
 */
final class CudaKernels {
    private static final KernelGenerator GENERATOR = new KernelGenerator(Dialect.CUDA);
    private static final Map<String, GeneratedKernel> GENERATED = new ConcurrentHashMap<>();

    private CudaKernels() {
    }

    /** One instance of each kernel class, for {@link dev.crossbar.spi.KernelSet#of}. */
    static List<OpKernel> instances() {
        return List.of(new Fill(), new Iota(), new Random(), new Unary(), new Binary(), new Compare(), new Select(), new Cast(), new Reduce(),
                new ArgMax(), new Matmul(), new Copy(), new Concat(), new Pad(), new Gather(), new ScatterAdd());
    }

    /** The kernel classes, for {@link dev.crossbar.spi.Capabilities#declaredBy} without a device. */
    static List<Class<? extends OpKernel>> classes() {
        return instances().stream().<Class<? extends OpKernel>>map(OpKernel::getClass).toList();
    }

    @Kernel(op = Op.FULL, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Fill implements FillKernel {
        @Override
        public void fill(TensorView out, double value) {
            GeneratedKernel kernel = generated("fill", out.dtype(), () -> GENERATOR.fill(out.dtype()));
            overOutput(kernel, out, arguments -> arguments.f64(value));
        }
    }

    @Kernel(op = Op.IOTA, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class Iota implements IotaKernel {
        @Override
        public void iota(TensorView out, int axis) {
            GeneratedKernel kernel = generated("iota", out.dtype(), () -> GENERATOR.iota(out.dtype()));
            overOutput(kernel, out, arguments -> arguments.i64(axis));
        }
    }

    @Kernel(op = Op.RNG_UNIFORM, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.RNG_NORMAL, dtypes = {F32, F64, F16, BF16})
    static final class Random implements RngKernel {
        @Override
        public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
            GeneratedKernel kernel = generated(op.opName(), out.dtype(), () -> GENERATOR.random(op, out.dtype()));
            long n = out.size();
            device(out).launch(kernel, Math.ceilDiv(n, 4), arguments -> output(arguments.i64(n).dims(ShapeDescriptor.of(out.shape())), out)
                    .i64(seed).i64(offset).f64(a).f64(b));
        }
    }

    @Kernel(op = Op.NEG, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.ABS, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.EXP, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.LOG, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.SQRT, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.RSQRT, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.TANH, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.LOGISTIC, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.SIN, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.COS, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.ERF, dtypes = {F32, F64, F16, BF16})
    static final class Unary implements UnaryKernel {
        @Override
        public void apply(Op op, TensorView out, TensorView in) {
            GeneratedKernel kernel = generated(op.opName(), in.dtype(), () -> GENERATOR.unary(op, in.dtype()));
            overOutput(kernel, out, arguments -> input(arguments, in, LayoutDescriptor.of(in)));
        }
    }

    @Kernel(op = Op.ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.SUB, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.MUL, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.DIV, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.POW, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class Binary implements BinaryKernel {
        @Override
        public void apply(Op op, TensorView out, TensorView a, TensorView b) {
            GeneratedKernel kernel = generated(op.opName(), out.dtype(), () -> GENERATOR.binary(op, out.dtype()));
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
    }

    @Kernel(op = Op.EQ, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.NE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.LT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.LE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.GT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.GE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Compare implements CompareKernel {
        @Override
        public void compare(Op op, TensorView out, TensorView a, TensorView b) {
            GeneratedKernel kernel = generated(op.opName(), a.dtype(), () -> GENERATOR.compare(op, a.dtype()));
            overOutput(kernel, out, arguments -> input(input(arguments, a, LayoutDescriptor.broadcast(a, out.shape())), b,
                    LayoutDescriptor.broadcast(b, out.shape())));
        }
    }

    @Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Select implements SelectKernel {
        @Override
        public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
            GeneratedKernel kernel = generated("select", out.dtype(), () -> GENERATOR.select(out.dtype()));
            overOutput(kernel, out, arguments -> input(input(input(arguments, cond, LayoutDescriptor.broadcast(cond, out.shape())), a,
                    LayoutDescriptor.broadcast(a, out.shape())), b, LayoutDescriptor.broadcast(b, out.shape())));
        }
    }

    @Kernel(op = Op.CAST, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Cast implements CastKernel {
        @Override
        public void cast(TensorView out, TensorView in) {
            GeneratedKernel kernel = generated("cast_" + out.dtype().shortName(), in.dtype(), () -> GENERATOR.cast(in.dtype(), out.dtype()));
            overOutput(kernel, out, arguments -> input(arguments, in, LayoutDescriptor.of(in)));
        }
    }

    @Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class Reduce implements ReduceKernel {
        @Override
        public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
            GeneratedKernel kernel = generated(op.opName(), in.dtype(), () -> GENERATOR.reduce(op, in.dtype()));
            ReductionDescriptors reduction = ReductionDescriptors.of(in, axes);
            overOutput(kernel, out, arguments -> input(arguments, in, reduction.kept()).dims(reduction.reducedShape()).layout(reduction.reduced())
                    .i64(reduction.reducedShape().elementCount()));
        }
    }

    @Kernel(op = Op.ARGMAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class ArgMax implements ArgReduceKernel {
        @Override
        public void argmax(TensorView out, TensorView in, int axis) {
            GeneratedKernel kernel = generated("argmax", in.dtype(), () -> GENERATOR.argmax(in.dtype()));
            overOutput(kernel, out, arguments -> input(arguments, in, LayoutDescriptor.of(in).withoutAxis(axis)).i64(in.shape().dim(axis))
                    .i64(in.stride(axis)));
        }
    }

    @Kernel(op = Op.RESHAPE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.PERMUTE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.BROADCAST_TO, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.SLICE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.COPY, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Copy implements CopyKernel {
        @Override
        public void copy(TensorView out, TensorView in) {
            copyView(out, in);
        }
    }

    @Kernel(op = Op.CONCAT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Concat implements ConcatKernel {
        @Override
        public void concat(TensorView out, List<TensorView> inputs, int axis) {
            GeneratedKernel kernel = generated("concat", out.dtype(), () -> GENERATOR.concat(out.dtype()));
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
    }

    @Kernel(op = Op.PAD, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Pad implements PadKernel {
        @Override
        public void pad(TensorView out, TensorView in, int[] low, int[] high, double value) {
            GeneratedKernel kernel = generated("pad", out.dtype(), () -> GENERATOR.pad(out.dtype()));
            overOutput(kernel, out, arguments -> input(arguments, in, LayoutDescriptor.of(in)).dims(ShapeDescriptor.of(in.shape()))
                    .dims(new ShapeDescriptor(Arrays.stream(low).asLongStream().toArray())).f64(value));
        }
    }

    @Kernel(op = Op.GATHER, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Gather implements GatherKernel {
        @Override
        public void gather(TensorView out, TensorView in, TensorView index, int axis) {
            requireIndexType("gather", index);
            GeneratedKernel kernel = generated("gather_" + index.dtype().shortName(), in.dtype(), () -> GENERATOR.gather(in.dtype(), index.dtype()));
            int limit = in.shape().dim(axis);
            long fault = device(out).launchReportingFault(kernel, index.size(), arguments -> input(input(
                    output(header(arguments, index.shape()), out), index, LayoutDescriptor.of(index)), in,
                    new LayoutDescriptor(in.offset(), in.strides()).withoutAxis(axis)).i64(limit).i64(in.stride(axis)));
            checkIndexFault("gather", fault, index, limit, axis);
        }
    }

    @Kernel(op = Op.SCATTER_ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class ScatterAdd implements ScatterAddKernel {
        @Override
        public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
            requireIndexType("scatter_add", index);
            GeneratedKernel kernel = generated("scatter_add_" + index.dtype().shortName(), out.dtype(),
                    () -> GENERATOR.scatterAdd(out.dtype(), index.dtype()));
            int limit = out.shape().dim(axis);
            long fault = device(out).launchReportingFault(kernel, index.size(), arguments -> input(input(
                    header(arguments, index.shape()).pointer(address(out)).layout(LayoutDescriptor.of(out).withoutAxis(axis)), index,
                    LayoutDescriptor.of(index)), src, LayoutDescriptor.of(src)).i64(limit).i64(out.stride(axis)));
            checkIndexFault("scatter_add", fault, index, limit, axis);
        }
    }

    /**
     * dot_general through cuBLAS, accumulating in F32 for F32, F16 and BF16 ({@code CUBLAS_COMPUTE_32F}) and in F64
     * for F64. cuBLAS is column-major, so the row-major {@code C = A B} runs as the column-major {@code C^T = B^T A^T}
     * over the same memory. Operands whose batch dimensions do not collapse to one stride are first copied to
     * contiguous memory by the generated copy kernel.
     */
    @Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16})
    static final class Matmul implements MatmulKernel {
        @Override
        public void matmul(TensorView out, TensorView a, TensorView b) {
            int rank = out.shape().rank();
            int m = out.shape().dim(rank - 2);
            int n = out.shape().dim(rank - 1);
            int k = a.shape().dim(a.shape().rank() - 1);
            CudaDevice device = device(out);
            if (out.size() == 0) {
                return;
            }
            if (k == 0) {
                device.makeCurrent();
                device.driver().cuMemsetD8Async(address(out) + out.offset() * out.dtype().byteSize(), (byte) 0, out.size() * out.dtype().byteSize(),
                        device.stream());
                return;
            }
            int[] batchDims = Arrays.copyOf(out.shape().dims(), rank - 2);
            long batch = out.size() / ((long) m * n);
            if (batch > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "dot_general: %d batched products exceed cuBLAS's int batch count", batch));
            }
            try (Operand left = Operand.of(device, a, batchDims, m, k); Operand right = Operand.of(device, b, batchDims, k, n);
                    Arena arena = Arena.ofConfined()) {
                boolean doubles = out.dtype() == F64;
                MemorySegment alpha = doubles ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1.0) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1.0f);
                MemorySegment beta = doubles ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 0.0) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0.0f);
                CudaDevice.Cublas cublas = device.cublas();
                // Column-major view: C^T (n x m) = B^T (n x k) * A^T (k x m); B^T is B's memory with leading dimension n.
                cublas.library().gemmStridedBatched(cublas.handle(), new NativeCublas.GemmShape(n, m, k), new NativeCublas.GemmScalars(alpha, beta),
                        new NativeCublas.GemmOperands(right.address(), left.address(), address(out) + out.offset() * out.dtype().byteSize(),
                                dataType(out.dtype()), n, k, n, right.batchStride(), left.batchStride(), (long) m * n),
                        (int) batch, doubles ? NativeCublas.COMPUTE_64F : NativeCublas.COMPUTE_32F);
            }
        }

        private static int dataType(DType dtype) {
            return switch (dtype) {
                case F32 -> NativeCublas.CUDA_R_32F;
                case F64 -> NativeCublas.CUDA_R_64F;
                case F16 -> NativeCublas.CUDA_R_16F;
                case BF16 -> NativeCublas.CUDA_R_16BF;
                default -> throw new IllegalArgumentException("dot_general on cuda serves f32, f64, f16 and bf16, not " + dtype.shortName());
            };
        }
    }

    /**
     * A matmul operand as cuBLAS reads it: row-major matrices one batch stride apart, either the view's own memory or
     * a contiguous copy of it.
     */
    private record Operand(CudaDevice device, long address, long batchStride, CachingAllocator.Block copy) implements AutoCloseable {
        static Operand of(CudaDevice device, TensorView view, int[] batchDims, int rows, int columns) {
            int[] full = Arrays.copyOf(batchDims, batchDims.length + 2);
            full[batchDims.length] = rows;
            full[batchDims.length + 1] = columns;
            TensorView broadcast = view.broadcastTo(Shape.of(full));
            int size = view.dtype().byteSize();
            long stride = uniformBatchStride(broadcast, batchDims, rows, columns);
            if (stride >= 0) {
                return new Operand(device, CudaKernels.address(view) + broadcast.offset() * size, stride, null);
            }
            long elements = broadcast.size();
            CachingAllocator.Block block = device.allocate(elements * size);
            copyInto(device, block.address(), broadcast);
            return new Operand(device, block.address(), (long) rows * columns, block);
        }

        @Override
        public void close() {
            if (copy != null) {
                device.free(copy);
            }
        }
    }

    /**
     * Returns the one stride between consecutive matrices of a broadcast operand, 0 when every batch reuses one
     * matrix, or -1 when the matrices are not row-major or their batch strides do not collapse to one.
     */
    static long uniformBatchStride(TensorView operand, int[] batchDims, int rows, int columns) {
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

    /** Materializes a view into contiguous memory at an address with the generated copy kernel. */
    private static void copyInto(CudaDevice device, long destination, TensorView in) {
        GeneratedKernel kernel = generated("copy", in.dtype(), () -> GENERATOR.copy(in.dtype()));
        ShapeDescriptor dims = ShapeDescriptor.of(in.shape());
        long n = dims.elementCount();
        device.launch(kernel, n, arguments -> arguments.i64(n).dims(dims).pointer(destination).layout(new LayoutDescriptor(0, in.shape().contiguousStrides()))
                .dims(dims).pointer(CudaKernels.address(in)).layout(LayoutDescriptor.of(in)));
    }

    private static void copyView(TensorView out, TensorView in) {
        GeneratedKernel kernel = generated("copy", in.dtype(), () -> GENERATOR.copy(in.dtype()));
        overOutput(kernel, out, arguments -> arguments.dims(ShapeDescriptor.of(in.shape())).pointer(address(in)).layout(LayoutDescriptor.of(in)));
    }

    private static GeneratedKernel generated(String name, DType dtype, Supplier<GeneratedKernel> generator) {
        return GENERATED.computeIfAbsent(name + "/" + dtype.shortName(), key -> generator.get());
    }

    /** Launches a kernel that iterates its output's shape: {@code n, dims, out, out_layout}, then the rest. */
    private static void overOutput(GeneratedKernel kernel, TensorView out, Consumer<KernelArguments> rest) {
        device(out).launch(kernel, out.size(), arguments -> rest.accept(output(header(arguments, out.shape()), out)));
    }

    private static KernelArguments header(KernelArguments arguments, Shape iterated) {
        return arguments.i64(iterated.size()).dims(ShapeDescriptor.of(iterated));
    }

    private static KernelArguments output(KernelArguments arguments, TensorView out) {
        return arguments.pointer(address(out)).layout(LayoutDescriptor.of(out));
    }

    private static KernelArguments input(KernelArguments arguments, TensorView in, LayoutDescriptor layout) {
        return arguments.pointer(address(in)).layout(layout);
    }

    private static CudaDevice device(TensorView view) {
        return CudaBackend.own(view.buffer()).owner();
    }

    private static long address(TensorView view) {
        return CudaBackend.own(view.buffer()).address();
    }

    private static void requireIndexType(String op, TensorView index) {
        if (index.dtype() != I32 && index.dtype() != I64) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: the index has type %s; indices must be i32 or i64, cast them first", op,
                    index.dtype().shortName()));
        }
    }

    /** Turns a gather or scatter fault word into the exception the cpu backend throws, reading the bad index back. */
    private static void checkIndexFault(String op, long fault, TensorView index, int limit, int axis) {
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

    /** The coordinates of a row-major position in a shape. */
    static long[] coordinates(long position, Shape shape) {
        long[] coordinates = new long[shape.rank()];
        long rest = position;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            coordinates[d] = rest % shape.dim(d);
            rest /= shape.dim(d);
        }
        return coordinates;
    }
}
