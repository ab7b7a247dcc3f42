package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** A cuBLAS function that returned a {@code cublasStatus_t} other than success. */
public final class CublasException extends CrossbarException {
    private final String function;
    private final int code;

    /**
     * Creates the error.
     *
     * @param function the function, such as {@code cublasGemmEx}
     * @param code the cublasStatus_t it returned
     * @param detail what the library says about the failure, empty when it says nothing more than the code
     */
    public CublasException(String function, int code, String detail) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)%s", function, CublasStatus.name(code), code, detail.isBlank() ? "" : ": " + detail));
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
     * Returns the cublasStatus_t.
     *
     * @return the number
     */
    public int code() {
        return code;
    }

    /**
     * Returns the cublasStatus_t's symbolic name.
     *
     * @return the name, such as {@code CUBLAS_STATUS_NOT_SUPPORTED}
     */
    public String name() {
        return CublasStatus.name(code);
    }
}
