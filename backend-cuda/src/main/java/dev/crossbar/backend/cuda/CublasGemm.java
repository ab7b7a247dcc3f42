package dev.crossbar.backend.cuda;

import dev.crossbar.api.DType;
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.spi.codegen.GpuBlas;
import dev.crossbar.spi.codegen.StridedBatchedGemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** cuBLAS's {@code cublasGemmStridedBatchedEx}, accumulating in F32 (F64 for F64), as a {@link GpuBlas}. */
final class CublasGemm implements GpuBlas {
    private final NativeCublas cublas;

    CublasGemm(NativeCublas cublas) {
        this.cublas = cublas;
    }

    @Override
    public MemorySegment createHandle(MemorySegment stream) {
        MemorySegment handle = cublas.create();
        cublas.setStream(handle, stream);
        return handle;
    }

    @Override
    public void gemm(MemorySegment handle, StridedBatchedGemm.Call call) {
        try (Arena arena = Arena.ofConfined()) {
            NativeCublas.GemmScalars scalars = new NativeCublas.GemmScalars(StridedBatchedGemm.scalar(arena, call.dtype(), 1),
                    StridedBatchedGemm.scalar(arena, call.dtype(), 0));
            cublas.gemmStridedBatched(handle, new NativeCublas.GemmShape(call.m(), call.n(), call.k()), scalars,
                    new NativeCublas.GemmOperands(call.a(), call.b(), call.c(), cublasType(call.dtype()), call.lda(), call.ldb(), call.ldc(),
                            call.strideA(), call.strideB(), call.strideC()),
                    call.batch(), call.dtype() == DType.F64 ? NativeCublas.COMPUTE_64F : NativeCublas.COMPUTE_32F);
        }
    }

    @Override
    public void destroyHandle(MemorySegment handle) {
        cublas.destroy(handle);
    }

    private static int cublasType(DType dtype) {
        return switch (dtype) {
            case F32 -> NativeCublas.CUDA_R_32F;
            case F64 -> NativeCublas.CUDA_R_64F;
            case F16 -> NativeCublas.CUDA_R_16F;
            case BF16 -> NativeCublas.CUDA_R_16BF;
            default -> throw new IllegalArgumentException("cuBLAS serves dot_general on f32, f64, f16 and bf16, not " + dtype.shortName());
        };
    }
}
