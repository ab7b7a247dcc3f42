package dev.crossbar.backend.cpu.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NativeLibrary;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * OpenBLAS ({@code libopenblas.so.0}, Debian {@code libopenblas0-pthread}) through its CBLAS interface, with 32-bit
 * {@code blasint} as Debian builds it ({@code openblas_config.h} without {@code OPENBLAS_USE64BITINT}).
 * {@code cblas_sgemm} returns nothing and reports bad arguments by printing, so callers check them first; this class
 * checks them again and throws.
 */
public final class NativeOpenBlas {
    /** The soname loaded. */
    public static final String LIBRARY = "libopenblas.so.0";
    /** {@code CblasRowMajor} of {@code enum CBLAS_ORDER}. */
    private static final int CBLAS_ROW_MAJOR = 101;
    /** {@code CblasNoTrans} of {@code enum CBLAS_TRANSPOSE}. */
    private static final int CBLAS_NO_TRANS = 111;
    /** {@code CblasTrans} of {@code enum CBLAS_TRANSPOSE}. */
    private static final int CBLAS_TRANS = 112;

    private final MethodHandle MH$cblas_sgemm;
    private final MethodHandle MH$openblas_set_num_threads;
    private final MethodHandle MH$openblas_get_num_threads;
    private final MethodHandle MH$openblas_get_config;
    private final MethodHandle MH$openblas_get_corename;

    private NativeOpenBlas(NativeLibrary library) {
        // void cblas_sgemm(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint M, blasint N, blasint K,
        //                  float alpha, const float *A, blasint lda, const float *B, blasint ldb, float beta, float *C, blasint ldc)
        MH$cblas_sgemm = library.function("cblas_sgemm", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        MH$openblas_set_num_threads = library.function("openblas_set_num_threads", FunctionDescriptor.ofVoid(JAVA_INT));
        MH$openblas_get_num_threads = library.function("openblas_get_num_threads", FunctionDescriptor.of(JAVA_INT));
        MH$openblas_get_config = library.function("openblas_get_config", FunctionDescriptor.of(ADDRESS));
        MH$openblas_get_corename = library.function("openblas_get_corename", FunctionDescriptor.of(ADDRESS));
    }

    /**
     * Loads OpenBLAS and binds its functions.
     *
     * @return the bound library
     * @throws LibraryUnavailableException if it does not load, lacks a function, or native access is denied
     */
    public static NativeOpenBlas open() {
        return new NativeOpenBlas(NativeLibrary.open(LIBRARY, "install OpenBLAS (Debian and Ubuntu: apt-get install libopenblas0-pthread)"));
    }

    /**
     * Calls {@code openblas_set_num_threads}.
     *
     * @param threads the number of threads each call may use
     */
    public void setNumThreads(int threads) {
        try {
            MH$openblas_set_num_threads.invokeExact(threads);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Calls {@code openblas_get_num_threads}.
     *
     * @return the number of threads each call may use
     */
    public int numThreads() {
        try {
            return (int) MH$openblas_get_num_threads.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Calls {@code openblas_get_config}.
     *
     * @return the build description, such as {@code OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64}
     */
    public String config() {
        try {
            MemorySegment text = (MemorySegment) MH$openblas_get_config.invokeExact();
            return text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Calls {@code openblas_get_corename}.
     *
     * @return the core whose kernels OpenBLAS picked, such as {@code SkylakeX}
     */
    public String coreName() {
        try {
            MemorySegment text = (MemorySegment) MH$openblas_get_corename.invokeExact();
            return text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Calls {@code cblas_sgemm} in row-major order with alpha 1 and beta 0: {@code c = op(a) op(b)}.
     *
     * @param transposeA whether {@code a} holds {@code op(a)} transposed, that is {@code k x m} with leading dimension {@code lda}
     * @param transposeB whether {@code b} holds {@code op(b)} transposed, {@code n x k}
     * @param m rows of the result
     * @param n columns of the result
     * @param k the inner dimension
     * @param a the first operand's first element
     * @param lda its leading dimension, in elements
     * @param b the second operand's first element
     * @param ldb its leading dimension
     * @param c the result's first element
     * @param ldc its leading dimension
     * @throws IllegalArgumentException if a leading dimension is smaller than its rows allow (OpenBLAS would only print)
     */
    public void sgemm(boolean transposeA, boolean transposeB, int m, int n, int k, MemorySegment a, int lda, MemorySegment b, int ldb,
                      MemorySegment c, int ldc) {
        checkLeading("lda", lda, transposeA ? m : k);
        checkLeading("ldb", ldb, transposeB ? k : n);
        checkLeading("ldc", ldc, n);
        try {
            MH$cblas_sgemm.invokeExact(CBLAS_ROW_MAJOR, transposeA ? CBLAS_TRANS : CBLAS_NO_TRANS, transposeB ? CBLAS_TRANS : CBLAS_NO_TRANS,
                    m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void checkLeading(String name, int value, int columns) {
        if (value < Math.max(1, columns)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "cblas_sgemm needs %s >= max(1, %d) in row-major order, got %d", name, columns, value));
        }
    }
}
