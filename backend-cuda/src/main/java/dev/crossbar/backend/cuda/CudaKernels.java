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
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedOps;
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

/**
 * The CUDA kernels: every op but dot_general runs a kernel of {@link dev.crossbar.spi.codegen.KernelGenerator} in the
 * CUDA dialect through {@link GeneratedOps}, compiled by NVRTC for the device and launched on its stream; dot_general runs cuBLAS. The {@link Kernel} annotations here
 * are the backend's cells.
 */
final class CudaKernels {
    private static final GeneratedOps OPS = new GeneratedOps(Dialect.CUDA, CudaBackendProvider.NAME);

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
            OPS.fill(out, value);
        }
    }

    @Kernel(op = Op.IOTA, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class Iota implements IotaKernel {
        @Override
        public void iota(TensorView out, int axis) {
            OPS.iota(out, axis);
        }
    }

    @Kernel(op = Op.RNG_UNIFORM, dtypes = {F32, F64, F16, BF16})
    @Kernel(op = Op.RNG_NORMAL, dtypes = {F32, F64, F16, BF16})
    static final class Random implements RngKernel {
        @Override
        public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
            OPS.random(op, out, seed, offset, a, b);
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
            OPS.unary(op, out, in);
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
            OPS.binary(op, out, a, b);
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
            OPS.compare(op, out, a, b);
        }
    }

    @Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Select implements SelectKernel {
        @Override
        public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
            OPS.select(out, cond, a, b);
        }
    }

    @Kernel(op = Op.CAST, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Cast implements CastKernel {
        @Override
        public void cast(TensorView out, TensorView in) {
            OPS.cast(out, in);
        }
    }

    @Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    @Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class Reduce implements ReduceKernel {
        @Override
        public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
            OPS.reduce(op, out, in, axes);
        }
    }

    @Kernel(op = Op.ARGMAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class ArgMax implements ArgReduceKernel {
        @Override
        public void argmax(TensorView out, TensorView in, int axis) {
            OPS.argmax(out, in, axis);
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
            OPS.copy(out, in);
        }
    }

    @Kernel(op = Op.CONCAT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Concat implements ConcatKernel {
        @Override
        public void concat(TensorView out, List<TensorView> inputs, int axis) {
            OPS.concat(out, inputs, axis);
        }
    }

    @Kernel(op = Op.PAD, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Pad implements PadKernel {
        @Override
        public void pad(TensorView out, TensorView in, int[] low, int[] high, double value) {
            OPS.pad(out, in, low, value);
        }
    }

    @Kernel(op = Op.GATHER, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
    static final class Gather implements GatherKernel {
        @Override
        public void gather(TensorView out, TensorView in, TensorView index, int axis) {
            OPS.gather(out, in, index, axis);
        }
    }

    @Kernel(op = Op.SCATTER_ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
    static final class ScatterAdd implements ScatterAddKernel {
        @Override
        public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
            OPS.scatterAdd(out, index, src, axis);
        }
    }

    /**
     * dot_general through cuBLAS, accumulating in F32 for F32, F16 and BF16 ({@code CUBLAS_COMPUTE_32F}) and in F64
     * for F64. cuBLAS is column-major, so the row-major {@code C = A B} runs as the column-major {@code C^T = B^T A^T}
     * over the same memory. Operands whose batch dimensions do not collapse to one stride are first copied to
     * contiguous memory by the generated copy kernel. cuBLAS has no I32 or I64 GEMM; those run the generated
     * {@link GeneratedOps#matmul} kernel.
     */
    @Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16, I32, I64})
    static final class Matmul implements MatmulKernel {
        @Override
        public void matmul(TensorView out, TensorView a, TensorView b) {
            int rank = out.shape().rank();
            int m = out.shape().dim(rank - 2);
            int n = out.shape().dim(rank - 1);
            int k = a.shape().dim(a.shape().rank() - 1);
            CudaDevice device = (CudaDevice) OPS.device(out);
            if (out.size() == 0) {
                return;
            }
            if (!out.dtype().isFloating()) {
                OPS.matmul(out, a, b);
                return;
            }
            if (k == 0) {
                device.makeCurrent();
                device.zero(OPS.address(out) + out.offset() * out.dtype().byteSize(), out.size() * out.dtype().byteSize());
                return;
            }
            int[] batchDims = Arrays.copyOf(out.shape().dims(), rank - 2);
            long batch = out.size() / ((long) m * n);
            if (batch > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "dot_general: %d batched products exceed cuBLAS's int batch count", batch));
            }
            try (GeneratedOps.BlasOperand left = OPS.blasOperand(a, batchDims, m, k); GeneratedOps.BlasOperand right = OPS.blasOperand(b, batchDims, k, n);
                    Arena arena = Arena.ofConfined()) {
                boolean doubles = out.dtype() == F64;
                MemorySegment alpha = doubles ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1.0) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1.0f);
                MemorySegment beta = doubles ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 0.0) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0.0f);
                CudaDevice.Cublas cublas = device.cublas();
                // Column-major view: C^T (n x m) = B^T (n x k) * A^T (k x m); B^T is B's memory with leading dimension n.
                cublas.library().gemmStridedBatched(cublas.handle(), new NativeCublas.GemmShape(n, m, k), new NativeCublas.GemmScalars(alpha, beta),
                        new NativeCublas.GemmOperands(right.address(), left.address(), OPS.address(out) + out.offset() * out.dtype().byteSize(),
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
                default -> throw new IllegalArgumentException("cuBLAS serves dot_general on f32, f64, f16 and bf16, not " + dtype.shortName());
            };
        }
    }
}
