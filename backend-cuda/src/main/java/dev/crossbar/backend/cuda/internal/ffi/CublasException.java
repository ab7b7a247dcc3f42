package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.spi.ffi.NativeCallException;

/** A cuBLAS function that returned a {@code cublasStatus_t} other than success. */
public final class CublasException extends NativeCallException {
    /**
     * Creates the error.
     *
     * @param function the function, such as {@code cublasGemmEx}
     * @param code the cublasStatus_t it returned
     * @param detail what the library says about the failure, empty when it says nothing more than the code
     */
    public CublasException(String function, int code, String detail) {
        super(function, code, CublasStatus.name(code), detail(detail));
    }
}
