package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** A HIP runtime function that returned a {@code hipError_t} other than {@code hipSuccess}. */
public final class HipException extends CrossbarException {
    private final String function;
    private final int code;

    /**
     * Creates the error.
     *
     * @param function the HIP function, such as {@code hipGetDeviceCount}
     * @param code the hipError_t it returned
     */
    public HipException(String function, int code) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)", function, HipError.name(code), code));
        this.function = function;
        this.code = code;
    }

    /**
     * Returns the function that failed.
     *
     * @return its name, such as {@code hipGetDeviceCount}
     */
    public String function() {
        return function;
    }

    /**
     * Returns the hipError_t.
     *
     * @return the number
     */
    public int code() {
        return code;
    }

    /**
     * Returns the hipError_t's symbolic name.
     *
     * @return the name, such as {@code hipErrorNoDevice}
     */
    public String name() {
        return HipError.name(code);
    }
}
