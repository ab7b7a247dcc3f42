package dev.crossbar.spi.codegen;

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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The kernels of every op but dot_general as generated source ({@link KernelGenerator}) run by {@link GeneratedOps}
 * in a backend's dialect, shared by the GPU backends whose generated kernels serve the same cells (cuda, rocm). A
 * backend registers them by creating them with its own {@link GeneratedOps} ({@link #instances}, which
 * {@link GpuBackendProvider} calls) and derives its capabilities from the classes it registers; the architecture rules
 * count a class's {@link Kernel} cells for the backends whose code creates it, directly or through this package.
 */
public final class GeneratedKernels {
    private GeneratedKernels() {
    }

    /**
     * Creates one instance of each kernel class, for {@link dev.crossbar.spi.KernelSet#of}: every op runs generated
     * source through {@code ops}, except floating dot_general where the device has a vendor BLAS ({@link Matmul}).
     *
     * @param ops the backend's dispatch of generated kernels in its dialect
     * @return the kernels
     */
    public static List<OpKernel> instances(GeneratedOps ops) {
        return List.of(new Fill(ops), new Iota(ops), new Random(ops), new Unary(ops), new Binary(ops), new Compare(ops), new Select(ops), new Cast(ops),
                new Reduce(ops), new ArgMax(ops), new Copy(ops), new Concat(ops), new Pad(ops), new Gather(ops), new ScatterAdd(ops), new Matmul(ops));
    }

    /**
     * Fills with a value.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.FULL, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    public record Fill(GeneratedOps ops) implements FillKernel {
        @Override
        public void fill(TensorView out, double value) {
            ops.fill(out, value);
        }
    }

    /**
     * Counts along an axis.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.IOTA, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    public record Iota(GeneratedOps ops) implements IotaKernel {
        @Override
        public void iota(TensorView out, int axis) {
            ops.iota(out, axis);
        }
    }

    /**
     * Philox uniform and normal numbers, the same as the cpu backend's.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.RNG_UNIFORM, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.RNG_NORMAL, dtypes = {F32, F64, F16, BF16})
    public record Random(GeneratedOps ops) implements RngKernel {
        @Override
        public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
            ops.random(op, out, seed, offset, a, b);
        }
    }

    /**
     * The element-wise unary ops.
     *
     * @param ops the backend's dispatch of generated kernels
     */
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
    public record Unary(GeneratedOps ops) implements UnaryKernel {
        @Override
        public void apply(Op op, TensorView out, TensorView in) {
            ops.unary(op, out, in);
        }
    }

    /**
     * The element-wise binary ops, broadcasting.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.SUB, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.MUL, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.DIV, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.POW, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    public record Binary(GeneratedOps ops) implements BinaryKernel {
        @Override
        public void apply(Op op, TensorView out, TensorView a, TensorView b) {
            ops.binary(op, out, a, b);
        }
    }

    /**
     * The comparisons, broadcasting, to BOOL.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.EQ, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.NE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.LT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.LE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.GT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.GE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    public record Compare(GeneratedOps ops) implements CompareKernel {
        @Override
        public void compare(Op op, TensorView out, TensorView a, TensorView b) {
            ops.compare(op, out, a, b);
        }
    }

    /**
     * Picks from two tensors by a BOOL condition.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    public record Select(GeneratedOps ops) implements SelectKernel {
        @Override
        public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
            ops.select(out, cond, a, b);
        }
    }

    /**
     * Converts between element types.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.CAST, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    public record Cast(GeneratedOps ops) implements CastKernel {
        @Override
        public void cast(TensorView out, TensorView in) {
            ops.cast(out, in);
        }
    }

    /**
     * Sums, maxima and minima over axes.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    public record Reduce(GeneratedOps ops) implements ReduceKernel {
        @Override
        public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
            ops.reduce(op, out, in, axes);
        }
    }

    /**
     * The position of the maximum along an axis.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.ARGMAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    public record ArgMax(GeneratedOps ops) implements ArgReduceKernel {
        @Override
        public void argmax(TensorView out, TensorView in, int axis) {
            ops.argmax(out, in, axis);
        }
    }

    /**
     * Strided copies: the layout ops and contiguous copies.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.RESHAPE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.PERMUTE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.BROADCAST_TO, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.SLICE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    @Kernel(op = Op.COPY, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    public record Copy(GeneratedOps ops) implements CopyKernel {
        @Override
        public void copy(TensorView out, TensorView in) {
            ops.copy(out, in);
        }
    }

    /**
     * Joins tensors along an axis.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.CONCAT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    public record Concat(GeneratedOps ops) implements ConcatKernel {
        @Override
        public void concat(TensorView out, List<TensorView> inputs, int axis) {
            ops.concat(out, inputs, axis);
        }
    }

    /**
     * Pads with a value.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.PAD, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    public record Pad(GeneratedOps ops) implements PadKernel {
        @Override
        public void pad(TensorView out, TensorView in, int[] low, int[] high, double value) {
            ops.pad(out, in, low, value);
        }
    }

    /**
     * Takes elements along an axis by index.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.GATHER, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    public record Gather(GeneratedOps ops) implements GatherKernel {
        @Override
        public void gather(TensorView out, TensorView in, TensorView index, int axis) {
            ops.gather(out, in, index, axis);
        }
    }

    /**
     * Adds elements along an axis by index, with atomics.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.SCATTER_ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    public record ScatterAdd(GeneratedOps ops) implements ScatterAddKernel {
        @Override
        public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
            ops.scatterAdd(out, index, src, axis);
        }
    }

    /**
     * dot_general through the device's vendor BLAS ({@link StreamDevice#gemm}) for floating types, and through the
     * generated {@link GeneratedOps#matmul} kernel for integers and on a machine without the library. The BLAS is
     * column-major, so the row-major {@code C = A B} runs as the column-major {@code C^T = B^T A^T} over the same
     * memory; operands whose batch dimensions do not collapse to one stride are first copied to contiguous memory by the
     * generated copy kernel.
     *
     * @param ops the backend's dispatch of generated kernels
     */
    @Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16, I32, I64})
    public record Matmul(GeneratedOps ops) implements MatmulKernel {
        @Override
        public void matmul(TensorView out, TensorView a, TensorView b) {
            int rank = out.shape().rank();
            int m = out.shape().dim(rank - 2);
            int n = out.shape().dim(rank - 1);
            int k = a.shape().dim(a.shape().rank() - 1);
            StreamDevice device = ops.device(out);
            Optional<StridedBatchedGemm> gemm = out.dtype().isFloating() ? device.gemm() : Optional.empty();
            if (out.size() == 0) {
                return;
            }
            if (gemm.isEmpty()) {
                ops.matmul(out, a, b);
                return;
            }
            long c = ops.address(out) + out.offset() * out.dtype().byteSize();
            if (k == 0) {
                device.makeCurrent();
                device.zero(c, out.size() * out.dtype().byteSize());
                return;
            }
            int[] batchDims = Arrays.copyOf(out.shape().dims(), rank - 2);
            long batch = out.size() / ((long) m * n);
            if (batch > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "dot_general: %d batched products exceed the vendor BLAS's int batch count; split the batch", batch));
            }
            try (GeneratedOps.BlasOperand left = ops.blasOperand(a, batchDims, m, k); GeneratedOps.BlasOperand right = ops.blasOperand(b, batchDims, k, n)) {
                // Column-major view: C^T (n x m) = B^T (n x k) * A^T (k x m); B^T is B's memory with leading dimension n.
                gemm.get().gemm(new StridedBatchedGemm.Call(out.dtype(), n, m, k, right.address(), n, right.batchStride(), left.address(), k,
                        left.batchStride(), c, n, (long) m * n, (int) batch));
            }
        }
    }
}
