package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** A CUDA driver function that returned a {@code CUresult} other than {@code CUDA_SUCCESS}. */
public final class CudaException extends CrossbarException {
    private final String function;
    private final int code;

    /**
     * Creates the error.
     *
     * @param function the driver function, such as {@code cuInit}
     * @param code the CUresult it returned
     */
    public CudaException(String function, int code) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)", function, CuResult.name(code), code));
        this.function = function;
        this.code = code;
    }

    /**
     * Returns the function that failed.
     *
     * @return its name, such as {@code cuInit}
     */
    public String function() {
        return function;
    }

    /**
     * Returns the CUresult.
     *
     * @return the number
     */
    public int code() {
        return code;
    }

    /**
     * Returns the CUresult's symbolic name.
     *
     * @return the name, such as {@code CUDA_ERROR_NO_DEVICE}
     */
    public String name() {
        return CuResult.name(code);
    }
}
