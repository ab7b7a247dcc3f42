package dev.crossbar.spi.codegen;

import dev.crossbar.api.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A vendor BLAS's strided batched GEMM on one device's stream (cuBLAS's {@code cublasGemmStridedBatchedEx}, rocBLAS's
 * {@code rocblas_gemm_strided_batched_ex}), column-major and without transposes: for each batch {@code i < batch},
 * {@code C_i = A_i B_i} with {@code A_i} at {@code a + i * strideA} elements. F32, F16 and BF16 accumulate in F32, F64
 * in F64. {@link GeneratedKernels.Matmul} maps row-major dot_general onto it.
 */
@FunctionalInterface
public interface StridedBatchedGemm {
    /**
     * One call's operands, in the column-major terms of the BLAS: {@code C (m x n) = A (m x k) B (k x n)}.
     *
     * @param dtype the element type of A, B and C (F32, F64, F16 or BF16)
     * @param m the rows of A and C
     * @param n the columns of B and C
     * @param k the columns of A, the rows of B
     * @param a A's device address
     * @param lda A's leading dimension
     * @param strideA elements between consecutive A matrices
     * @param b B's device address
     * @param ldb B's leading dimension
     * @param strideB elements between consecutive B matrices
     * @param c C's device address
     * @param ldc C's leading dimension
     * @param strideC elements between consecutive C matrices
     * @param batch the number of products
     */
    record Call(DType dtype, int m, int n, int k, long a, int lda, long strideA, long b, int ldb, long strideB, long c, int ldc, long strideC,
            int batch) {
    }

    /**
     * Enqueues the products on the device's stream.
     *
     * @param call the operands
     * @throws dev.crossbar.api.CrossbarException carrying the library's status name if it refuses the call
     */
    void gemm(Call call);

    /**
     * A scaling factor (alpha, beta) in host memory as the BLAS reads it for the call's type: a double for F64, a
     * float for the types that accumulate in F32.
     *
     * @param arena where it lives
     * @param dtype the call's element type
     * @param value the factor
     * @return the factor's memory
     */
    static MemorySegment scalar(Arena arena, DType dtype, double value) {
        return dtype == DType.F64 ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, value) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, (float) value);
    }
}
