package dev.crossbar.backend.rocm;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;

import dev.crossbar.api.DType;
import dev.crossbar.backend.rocm.internal.ffi.NativeRocblas;
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
 * The ROCm kernels: every op but dot_general runs a kernel of {@link dev.crossbar.spi.codegen.KernelGenerator} in the
 * HIP dialect through {@link GeneratedOps}, compiled by hiprtc for the device's processor and launched on its stream; dot_general runs rocBLAS. The cells are
 * the {@link Kernel} annotations of {@link GeneratedKernels} and of {@link Matmul}.
 */
final class RocmKernels {
    private static final GeneratedOps OPS = new GeneratedOps(Dialect.HIP, RocmBackendProvider.NAME);

    private RocmKernels() {
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
     * dot_general through rocBLAS, accumulating in F32 for F32, F16 and BF16 (compute type {@code rocblas_datatype_f32_r})
     * and in F64 for F64. rocBLAS is column-major, so the row-major {@code C = A B} runs as the column-major {@code C^T = B^T A^T}
     * over the same memory. Operands whose batch dimensions do not collapse to one stride are first copied to
     * contiguous memory by the generated copy kernel. I32 and I64, and every type on a machine without rocBLAS (Debian
     * 12 ships none), run the generated {@link GeneratedOps#matmul} kernel instead.
     */
    @Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16, I32, I64})
    static final class Matmul implements MatmulKernel {
        @Override
        public void matmul(TensorView out, TensorView a, TensorView b) {
            int rank = out.shape().rank();
            int m = out.shape().dim(rank - 2);
            int n = out.shape().dim(rank - 1);
            int k = a.shape().dim(a.shape().rank() - 1);
            HipDevice device = (HipDevice) OPS.device(out);
            if (out.size() == 0) {
                return;
            }
            if (!out.dtype().isFloating() || !device.hasRocblas()) {
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
                throw new IllegalArgumentException(String.format(Locale.ROOT, "dot_general: %d batched products exceed rocBLAS's int batch count", batch));
            }
            try (GeneratedOps.BlasOperand left = OPS.blasOperand(a, batchDims, m, k); GeneratedOps.BlasOperand right = OPS.blasOperand(b, batchDims, k, n);
                    Arena arena = Arena.ofConfined()) {
                boolean doubles = out.dtype() == F64;
                MemorySegment alpha = doubles ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1.0) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1.0f);
                MemorySegment beta = doubles ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 0.0) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0.0f);
                HipDevice.Rocblas rocblas = device.rocblas();
                // Column-major view: C^T (n x m) = B^T (n x k) * A^T (k x m); B^T is B's memory with leading dimension n.
                rocblas.library().gemmStridedBatched(rocblas.handle(), new NativeRocblas.GemmShape(n, m, k), alpha, beta,
                        new NativeRocblas.GemmOperands(right.address(), left.address(), OPS.address(out) + out.offset() * out.dtype().byteSize(),
                                dataType(out.dtype()), n, k, n, right.batchStride(), left.batchStride(), (long) m * n),
                        (int) batch, doubles ? NativeRocblas.DATATYPE_F64 : NativeRocblas.DATATYPE_F32);
            }
        }

        private static int dataType(DType dtype) {
            return switch (dtype) {
                case F32 -> NativeRocblas.DATATYPE_F32;
                case F64 -> NativeRocblas.DATATYPE_F64;
                case F16 -> NativeRocblas.DATATYPE_F16;
                case BF16 -> NativeRocblas.DATATYPE_BF16;
                default -> throw new IllegalArgumentException("rocBLAS serves dot_general on f32, f64, f16 and bf16, not " + dtype.shortName());
            };
        }
    }
}
