package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** A rocBLAS function that returned a {@code rocblas_status} other than success. */
public final class RocblasException extends CrossbarException {
    private final String function;
    private final int code;

    /**
     * Creates the error.
     *
     * @param function the function, such as {@code rocblas_gemm_strided_batched_ex}
     * @param code the rocblas_status it returned
     * @param detail what the library says about the failure, empty when it says nothing more than the code
     */
    public RocblasException(String function, int code, String detail) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)%s", function, RocblasStatus.name(code), code, detail.isBlank() ? "" : ": " + detail));
        this.function = function;
        this.code = code;
    }

    /**
     * Returns the function that failed.
     *
     * @return its name
     */
    public String function() {
        return function;
    }

    /**
     * Returns the rocblas_status.
     *
     * @return the number
     */
    public int code() {
        return code;
    }

    /**
     * Returns the rocblas_status's symbolic name.
     *
     * @return the name, such as {@code rocblas_status_invalid_size}
     */
    public String name() {
        return RocblasStatus.name(code);
    }
}
