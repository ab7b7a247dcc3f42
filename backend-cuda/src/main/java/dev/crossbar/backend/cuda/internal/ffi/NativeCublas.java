package dev.crossbar.backend.cuda.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Locale;

/**
 * cuBLAS ({@code libcublas}): handles and the mixed-precision GEMMs. Matrices are column-major, as cuBLAS defines
 * them; device pointers travel as addresses. Every {@code cublasStatus_t} other than success becomes a
 * {@link CublasException}.
 */
public final class NativeCublas {
    /** The library names tried, newest CUDA major version first. */
    public static final List<String> LIBRARIES = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so");
    /** {@code CUBLAS_OP_N}: the matrix as stored. */
    public static final int OP_N = 0;
    /** {@code CUDA_R_32F} of {@code library_types.h}. */
    public static final int CUDA_R_32F = 0;
    /** {@code CUDA_R_64F}. */
    public static final int CUDA_R_64F = 1;
    /** {@code CUDA_R_16F}. */
    public static final int CUDA_R_16F = 2;
    /** {@code CUDA_R_16BF}. */
    public static final int CUDA_R_16BF = 14;
    /** {@code CUBLAS_COMPUTE_32F}: accumulate in float, no reduced-precision shortcuts. */
    public static final int COMPUTE_32F = 68;
    /** {@code CUBLAS_COMPUTE_64F}. */
    public static final int COMPUTE_64F = 70;
    /** {@code CUBLAS_GEMM_DEFAULT}: cuBLAS picks the algorithm. */
    public static final int GEMM_DEFAULT = -1;

    // libraryPropertyType of library_types.h
    private static final int MAJOR_VERSION = 0;
    private static final int MINOR_VERSION = 1;
    private static final int PATCH_LEVEL = 2;

    private final MethodHandle MH$cublasGetProperty;
    private final MethodHandle MH$cublasCreate_v2;
    private final MethodHandle MH$cublasDestroy_v2;
    private final MethodHandle MH$cublasSetStream_v2;
    private final MethodHandle MH$cublasGemmEx;
    private final MethodHandle MH$cublasGemmStridedBatchedEx;

    private NativeCublas(NativeLibrary library) {
        // cublasStatus_t cublasGetProperty(libraryPropertyType type, int* value)
        MH$cublasGetProperty = bind(library, "cublasGetProperty", JAVA_INT, ADDRESS);
        // cublasStatus_t cublasCreate(cublasHandle_t* handle), #define'd to the _v2 symbol by cublas_v2.h
        MH$cublasCreate_v2 = bind(library, "cublasCreate_v2", ADDRESS);
        // cublasStatus_t cublasDestroy(cublasHandle_t handle)
        MH$cublasDestroy_v2 = bind(library, "cublasDestroy_v2", ADDRESS);
        // cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t streamId)
        MH$cublasSetStream_v2 = bind(library, "cublasSetStream_v2", ADDRESS, ADDRESS);
        // cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
        //     int m, int n, int k, const void* alpha, const void* A, cudaDataType Atype, int lda,
        //     const void* B, cudaDataType Btype, int ldb, const void* beta, void* C, cudaDataType Ctype, int ldc,
        //     cublasComputeType_t computeType, cublasGemmAlgo_t algo)
        MH$cublasGemmEx = bind(library, "cublasGemmEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        // cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa,
        //     cublasOperation_t transb, int m, int n, int k, const void* alpha,
        //     const void* A, cudaDataType Atype, int lda, long long int strideA,
        //     const void* B, cudaDataType Btype, int ldb, long long int strideB, const void* beta,
        //     void* C, cudaDataType Ctype, int ldc, long long int strideC, int batchCount,
        //     cublasComputeType_t computeType, cublasGemmAlgo_t algo)
        MH$cublasGemmStridedBatchedEx = bind(library, "cublasGemmStridedBatchedEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static MethodHandle bind(NativeLibrary library, String symbol, MemoryLayout... arguments) {
        return library.function(symbol, FunctionDescriptor.of(JAVA_INT, arguments));
    }

    /**
     * Loads cuBLAS and binds its functions.
     *
     * @return the bound library
     * @throws LibraryUnavailableException if no cuBLAS library loads, one lacks a function, or native access is denied
     */
    public static NativeCublas open() {
        return new NativeCublas(NativeLibrary.openFirst(LIBRARIES, "cuBLAS comes with the CUDA toolkit (package libcublas)"));
    }

    /**
     * Calls {@code cublasGetProperty} for the major, minor and patch numbers.
     *
     * @return the version as {@code major.minor.patch}
     */
    public String version() {
        return String.format(Locale.ROOT, "%d.%d.%d", property(MAJOR_VERSION), property(MINOR_VERSION), property(PATCH_LEVEL));
    }

    private int property(int type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("cublasGetProperty", NativeLibrary.call(() -> (int) MH$cublasGetProperty.invokeExact(type, value)));
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Calls {@code cublasCreate}, which needs a current CUDA context.
     *
     * @return the {@code cublasHandle_t}
     */
    public MemorySegment create() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(ADDRESS);
            check("cublasCreate", NativeLibrary.call(() -> (int) MH$cublasCreate_v2.invokeExact(handle)));
            return handle.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code cublasDestroy}.
     *
     * @param handle the {@code cublasHandle_t}
     */
    public void destroy(MemorySegment handle) {
        check("cublasDestroy", NativeLibrary.call(() -> (int) MH$cublasDestroy_v2.invokeExact(handle)));
    }

    /**
     * Calls {@code cublasSetStream}.
     *
     * @param handle the {@code cublasHandle_t}
     * @param stream the {@code CUstream} later calls are queued on
     */
    public void setStream(MemorySegment handle, MemorySegment stream) {
        check("cublasSetStream", NativeLibrary.call(() -> (int) MH$cublasSetStream_v2.invokeExact(handle, stream)));
    }

    /**
     * Calls {@code cublasGemmStridedBatchedEx} without transposes: {@code C_i = alpha * A_i B_i + beta * C_i} for
     * {@code batchCount} column-major matrices, each operand {@code stride} elements after the previous one.
     *
     * @param handle the {@code cublasHandle_t}
     * @param shape m, n and k
     * @param scalars alpha and beta in host memory, float for {@link #COMPUTE_32F}, double for {@link #COMPUTE_64F}
     * @param operands A, B and C: device pointers, their {@code cudaDataType}, leading dimensions and strides
     * @param batchCount the number of products
     * @param computeType {@link #COMPUTE_32F} or {@link #COMPUTE_64F}
     */
    public void gemmStridedBatched(MemorySegment handle, GemmShape shape, GemmScalars scalars, GemmOperands operands, int batchCount, int computeType) {
        MemorySegment pa = MemorySegment.ofAddress(operands.a());
        MemorySegment pb = MemorySegment.ofAddress(operands.b());
        MemorySegment pc = MemorySegment.ofAddress(operands.c());
        if (batchCount == 1) {
            check("cublasGemmEx", NativeLibrary.call(() -> (int) MH$cublasGemmEx.invokeExact(handle, OP_N, OP_N, shape.m(), shape.n(), shape.k(), scalars.alpha(),
                    pa, operands.dataType(), operands.lda(), pb, operands.dataType(), operands.ldb(), scalars.beta(), pc, operands.dataType(), operands.ldc(), computeType, GEMM_DEFAULT)));
            return;
        }
        check("cublasGemmStridedBatchedEx", NativeLibrary.call(() -> (int) MH$cublasGemmStridedBatchedEx.invokeExact(handle, OP_N, OP_N, shape.m(), shape.n(),
                shape.k(), scalars.alpha(), pa, operands.dataType(), operands.lda(), operands.strideA(), pb, operands.dataType(), operands.ldb(), operands.strideB(), scalars.beta(), pc,
                operands.dataType(), operands.ldc(), operands.strideC(), batchCount, computeType, GEMM_DEFAULT)));
    }

    /**
     * The sizes of a GEMM.
     *
     * @param m rows of A and C
     * @param n columns of B and C
     * @param k columns of A, rows of B
     */
    public record GemmShape(int m, int n, int k) {
    }

    /**
     * The host-memory scalars of a GEMM.
     *
     * @param alpha the product's factor
     * @param beta C's factor
     */
    public record GemmScalars(MemorySegment alpha, MemorySegment beta) {
    }

    /**
     * The device operands of a GEMM, all of one {@code cudaDataType}.
     *
     * @param a A's device pointer
     * @param b B's device pointer
     * @param c C's device pointer
     * @param dataType the element type, such as {@link #CUDA_R_16BF}
     * @param lda A's leading dimension
     * @param ldb B's leading dimension
     * @param ldc C's leading dimension
     * @param strideA elements between consecutive A matrices, 0 to reuse one
     * @param strideB elements between consecutive B matrices, 0 to reuse one
     * @param strideC elements between consecutive C matrices
     */
    public record GemmOperands(long a, long b, long c, int dataType, int lda, int ldb, int ldc, long strideA, long strideB, long strideC) {
    }


    private static void check(String function, int result) {
        if (result != CublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new CublasException(function, result, "");
        }
    }
}
