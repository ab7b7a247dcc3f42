package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.spi.ffi.NativeCallException;

/** A rocBLAS function that returned a {@code rocblas_status} other than success. */
public final class RocblasException extends NativeCallException {
    /**
     * Creates the error.
     *
     * @param function the function, such as {@code rocblas_gemm_strided_batched_ex}
     * @param code the rocblas_status it returned
     * @param detail what the library says about the failure, empty when it says nothing more than the code
     */
    public RocblasException(String function, int code, String detail) {
        super(function, code, RocblasStatus.name(code), detail(detail));
    }
}
