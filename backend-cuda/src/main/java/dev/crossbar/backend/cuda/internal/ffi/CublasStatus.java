package dev.crossbar.backend.cuda.internal.ffi;

import static java.util.Map.entry;

import dev.crossbar.spi.ffi.StatusNames;
import java.util.Map;

/** The symbolic names of cuBLAS's {@code cublasStatus_t} codes, as {@code cublas_api.h} defines them. */
public final class CublasStatus {
    /** The code of success. */
    public static final int CUBLAS_STATUS_SUCCESS = 0;

    private static final StatusNames NAMES = StatusNames.of("cublasStatus_t", Map.ofEntries(
            entry(0, "CUBLAS_STATUS_SUCCESS"),
            entry(1, "CUBLAS_STATUS_NOT_INITIALIZED"),
            entry(3, "CUBLAS_STATUS_ALLOC_FAILED"),
            entry(7, "CUBLAS_STATUS_INVALID_VALUE"),
            entry(8, "CUBLAS_STATUS_ARCH_MISMATCH"),
            entry(11, "CUBLAS_STATUS_MAPPING_ERROR"),
            entry(13, "CUBLAS_STATUS_EXECUTION_FAILED"),
            entry(14, "CUBLAS_STATUS_INTERNAL_ERROR"),
            entry(15, "CUBLAS_STATUS_NOT_SUPPORTED"),
            entry(16, "CUBLAS_STATUS_LICENSE_ERROR")));

    private CublasStatus() {
    }

    /**
     * Returns the symbolic name of a code.
     *
     * @param code a cublasStatus_t
     * @return its name, or {@code UNKNOWN_cublasStatus_t(code)} for a code this table lacks
     */
    public static String name(int code) {
        return NAMES.name(code);
    }
}
