package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.spi.ffi.StatusNames;
import java.util.List;

/** The symbolic names of rocBLAS's {@code rocblas_status} codes, as {@code rocblas-types.h} lists them (0 to 15). */
public final class RocblasStatus {
    /** The code of success. */
    public static final int ROCBLAS_STATUS_SUCCESS = 0;

    private static final StatusNames NAMES = StatusNames.numbered("rocblas_status", List.of(
            "rocblas_status_success",
            "rocblas_status_invalid_handle",
            "rocblas_status_not_implemented",
            "rocblas_status_invalid_pointer",
            "rocblas_status_invalid_size",
            "rocblas_status_memory_error",
            "rocblas_status_internal_error",
            "rocblas_status_perf_degraded",
            "rocblas_status_size_query_mismatch",
            "rocblas_status_size_increased",
            "rocblas_status_size_unchanged",
            "rocblas_status_invalid_value",
            "rocblas_status_continue",
            "rocblas_status_check_numerics_fail",
            "rocblas_status_excluded_from_build",
            "rocblas_status_arch_mismatch"));

    private RocblasStatus() {
    }

    /**
     * Returns the symbolic name of a code.
     *
     * @param code a rocblas_status
     * @return its name, or {@code UNKNOWN_rocblas_status(code)} for a code newer than this table
     */
    public static String name(int code) {
        return NAMES.name(code);
    }
}
