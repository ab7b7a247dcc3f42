package dev.crossbar.backend.rocm;

import dev.crossbar.api.DType;
import dev.crossbar.backend.rocm.internal.ffi.NativeRocblas;
import dev.crossbar.spi.codegen.GpuBlas;
import dev.crossbar.spi.codegen.StridedBatchedGemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** rocBLAS's {@code rocblas_gemm_strided_batched_ex}, accumulating in F32 (F64 for F64), as a {@link GpuBlas}. */
final class RocblasGemm implements GpuBlas {
    private final NativeRocblas rocblas;

    RocblasGemm(NativeRocblas rocblas) {
        this.rocblas = rocblas;
    }

    @Override
    public MemorySegment createHandle(MemorySegment stream) {
        MemorySegment handle = rocblas.createHandle();
        rocblas.setStream(handle, stream);
        return handle;
    }

    @Override
    public void gemm(MemorySegment handle, StridedBatchedGemm.Call call) {
        try (Arena arena = Arena.ofConfined()) {
            rocblas.gemmStridedBatched(handle, new NativeRocblas.GemmShape(call.m(), call.n(), call.k()), StridedBatchedGemm.scalar(arena, call.dtype(), 1),
                    StridedBatchedGemm.scalar(arena, call.dtype(), 0),
                    new NativeRocblas.GemmOperands(call.a(), call.b(), call.c(), rocblasType(call.dtype()), call.lda(), call.ldb(), call.ldc(),
                            call.strideA(), call.strideB(), call.strideC()),
                    call.batch(), call.dtype() == DType.F64 ? NativeRocblas.DATATYPE_F64 : NativeRocblas.DATATYPE_F32);
        }
    }

    @Override
    public void destroyHandle(MemorySegment handle) {
        rocblas.destroyHandle(handle);
    }

    private static int rocblasType(DType dtype) {
        return switch (dtype) {
            case F32 -> NativeRocblas.DATATYPE_F32;
            case F64 -> NativeRocblas.DATATYPE_F64;
            case F16 -> NativeRocblas.DATATYPE_F16;
            case BF16 -> NativeRocblas.DATATYPE_BF16;
            default -> throw new IllegalArgumentException("rocBLAS serves dot_general on f32, f64, f16 and bf16, not " + dtype.shortName());
        };
    }
}
