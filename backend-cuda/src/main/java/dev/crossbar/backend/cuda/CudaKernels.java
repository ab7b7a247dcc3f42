package dev.crossbar.backend.cuda;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;

import dev.crossbar.api.DType;
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernels;
import dev.crossbar.spi.codegen.GeneratedOps;
import dev.crossbar.spi.kernel.MatmulKernel;
import dev.crossbar.spi.kernel.OpKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The CUDA kernels: every op but dot_general runs a kernel of {@link dev.crossbar.spi.codegen.KernelGenerator} in the
 * CUDA dialect through {@link GeneratedOps}, compiled by NVRTC for the device and launched on its stream; dot_general runs cuBLAS. The cells are
 * the {@link Kernel} annotations of {@link GeneratedKernels} and of {@link Matmul}.
 */
final class CudaKernels {
    private static final GeneratedOps OPS = new GeneratedOps(Dialect.CUDA, CudaBackendProvider.NAME);

    private CudaKernels() {
    }

    /** One instance of each kernel class, for {@link dev.crossbar.spi.KernelSet#of}. */
    static List<OpKernel> instances() {
        return List.of(new GeneratedKernels.Fill(OPS), new GeneratedKernels.Iota(OPS), new GeneratedKernels.Random(OPS), new GeneratedKernels.Unary(OPS),
                new GeneratedKernels.Binary(OPS), new GeneratedKernels.Compare(OPS), new GeneratedKernels.Select(OPS), new GeneratedKernels.Cast(OPS),
                new GeneratedKernels.Reduce(OPS), new GeneratedKernels.ArgMax(OPS), new GeneratedKernels.Copy(OPS), new GeneratedKernels.Concat(OPS),
                new GeneratedKernels.Pad(OPS), new GeneratedKernels.Gather(OPS), new GeneratedKernels.ScatterAdd(OPS), new Matmul());
    }

    /** The kernel classes, for {@link dev.crossbar.spi.Capabilities#declaredBy} without a device. */
    static List<Class<? extends OpKernel>> classes() {
        return instances().stream().<Class<? extends OpKernel>>map(OpKernel::getClass).toList();
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
