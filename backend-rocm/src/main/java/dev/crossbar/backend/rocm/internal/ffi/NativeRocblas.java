package dev.crossbar.backend.rocm.internal.ffi;

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

/**
 * rocBLAS ({@code librocblas}): handles and the mixed-precision strided batched GEMM. Matrices are column-major;
 * device pointers travel as addresses; {@code rocblas_int} is 32 bits and {@code rocblas_stride} 64. Every
 * {@code rocblas_status} other than success becomes a {@link RocblasException}.
 */
public final class NativeRocblas {
    /** The library names tried: the sonames of ROCm 6 and 5, then the development link. */
    public static final List<String> LIBRARIES = List.of("librocblas.so.4", "librocblas.so.3", "librocblas.so.0", "librocblas.so");
    /** {@code rocblas_operation_none}. */
    public static final int OPERATION_NONE = 111;
    /** {@code rocblas_datatype_f16_r}. */
    public static final int DATATYPE_F16 = 150;
    /** {@code rocblas_datatype_f32_r}. */
    public static final int DATATYPE_F32 = 151;
    /** {@code rocblas_datatype_f64_r}. */
    public static final int DATATYPE_F64 = 152;
    /** {@code rocblas_datatype_bf16_r}. */
    public static final int DATATYPE_BF16 = 168;
    /** {@code rocblas_gemm_algo_standard}. */
    public static final int GEMM_ALGO_STANDARD = 0;

    private static final int VERSION_BYTES = 256;

    private final MethodHandle MH$rocblas_get_version_string;
    private final MethodHandle MH$rocblas_create_handle;
    private final MethodHandle MH$rocblas_destroy_handle;
    private final MethodHandle MH$rocblas_set_stream;
    private final MethodHandle MH$rocblas_gemm_strided_batched_ex;

    private NativeRocblas(NativeLibrary library) {
        // rocblas_status rocblas_get_version_string(char* buf, size_t len)
        MH$rocblas_get_version_string = bind(library, "rocblas_get_version_string", ADDRESS, JAVA_LONG);
        // rocblas_status rocblas_create_handle(rocblas_handle* handle)
        MH$rocblas_create_handle = bind(library, "rocblas_create_handle", ADDRESS);
        // rocblas_status rocblas_destroy_handle(rocblas_handle handle)
        MH$rocblas_destroy_handle = bind(library, "rocblas_destroy_handle", ADDRESS);
        // rocblas_status rocblas_set_stream(rocblas_handle handle, hipStream_t stream)
        MH$rocblas_set_stream = bind(library, "rocblas_set_stream", ADDRESS, ADDRESS);
        // rocblas_status rocblas_gemm_strided_batched_ex(rocblas_handle handle, rocblas_operation trans_a,
        //     rocblas_operation trans_b, rocblas_int m, rocblas_int n, rocblas_int k, const void* alpha,
        //     const void* a, rocblas_datatype a_type, rocblas_int lda, rocblas_stride stride_a,
        //     const void* b, rocblas_datatype b_type, rocblas_int ldb, rocblas_stride stride_b, const void* beta,
        //     const void* c, rocblas_datatype c_type, rocblas_int ldc, rocblas_stride stride_c,
        //     void* d, rocblas_datatype d_type, rocblas_int ldd, rocblas_stride stride_d, rocblas_int batch_count,
        //     rocblas_datatype compute_type, rocblas_gemm_algo algo, int32_t solution_index, uint32_t flags)
        MH$rocblas_gemm_strided_batched_ex = bind(library, "rocblas_gemm_strided_batched_ex", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static MethodHandle bind(NativeLibrary library, String symbol, MemoryLayout... arguments) {
        return library.function(symbol, FunctionDescriptor.of(JAVA_INT, arguments));
    }

    /**
     * Loads rocBLAS and binds its functions.
     *
     * @return the bound library
     * @throws LibraryUnavailableException if no rocBLAS library loads (Debian 12 ships none), one lacks a function,
     *     or native access is denied
     */
    public static NativeRocblas open() {
        return new NativeRocblas(NativeLibrary.openFirst(LIBRARIES, "rocBLAS comes with ROCm (package rocblas; Debian 12 does not ship it)"));
    }

    /**
     * Calls {@code rocblas_get_version_string}.
     *
     * @return the version, such as {@code 2.44.0}
     */
    public String version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(VERSION_BYTES);
            check("rocblas_get_version_string", NativeLibrary.call(() -> (int) MH$rocblas_get_version_string.invokeExact(text, (long) VERSION_BYTES)));
            return text.getString(0);
        }
    }

    /**
     * Calls {@code rocblas_create_handle} on the current device.
     *
     * @return the {@code rocblas_handle}
     */
    public MemorySegment createHandle() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(ADDRESS);
            check("rocblas_create_handle", NativeLibrary.call(() -> (int) MH$rocblas_create_handle.invokeExact(handle)));
            return handle.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code rocblas_destroy_handle}.
     *
     * @param handle the {@code rocblas_handle}
     */
    public void destroyHandle(MemorySegment handle) {
        check("rocblas_destroy_handle", NativeLibrary.call(() -> (int) MH$rocblas_destroy_handle.invokeExact(handle)));
    }

    /**
     * Calls {@code rocblas_set_stream}.
     *
     * @param handle the {@code rocblas_handle}
     * @param stream the {@code hipStream_t}
     */
    public void setStream(MemorySegment handle, MemorySegment stream) {
        check("rocblas_set_stream", NativeLibrary.call(() -> (int) MH$rocblas_set_stream.invokeExact(handle, stream)));
    }

    /**
     * Calls {@code rocblas_gemm_strided_batched_ex} without transposes, writing D = C in place:
     * {@code C_i = alpha * A_i B_i + beta * C_i} for {@code batchCount} column-major matrices.
     *
     * @param handle the {@code rocblas_handle}
     * @param shape m, n and k
     * @param alpha the product's factor in host memory, of the compute type
     * @param beta C's factor in host memory, of the compute type
     * @param operands A, B and C: device pointers, their {@code rocblas_datatype}, leading dimensions and strides
     * @param batchCount the number of products
     * @param computeType {@link #DATATYPE_F32} or {@link #DATATYPE_F64}
     */
    public void gemmStridedBatched(MemorySegment handle, GemmShape shape, MemorySegment alpha, MemorySegment beta, GemmOperands operands,
            int batchCount, int computeType) {
        MemorySegment a = MemorySegment.ofAddress(operands.a());
        MemorySegment b = MemorySegment.ofAddress(operands.b());
        MemorySegment c = MemorySegment.ofAddress(operands.c());
        int type = operands.dataType();
        check("rocblas_gemm_strided_batched_ex", NativeLibrary.call(() -> (int) MH$rocblas_gemm_strided_batched_ex.invokeExact(handle, OPERATION_NONE,
                OPERATION_NONE, shape.m(), shape.n(), shape.k(), alpha, a, type, operands.lda(), operands.strideA(), b, type, operands.ldb(),
                operands.strideB(), beta, c, type, operands.ldc(), operands.strideC(), c, type, operands.ldc(), operands.strideC(), batchCount,
                computeType, GEMM_ALGO_STANDARD, 0, 0)));
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
     * The device operands of a GEMM, all of one {@code rocblas_datatype}.
     *
     * @param a A's device pointer
     * @param b B's device pointer
     * @param c C's device pointer, also the output D
     * @param dataType the element type, such as {@link #DATATYPE_BF16}
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
        if (result != RocblasStatus.ROCBLAS_STATUS_SUCCESS) {
            throw new RocblasException(function, result, "");
        }
    }
}
