package com.example.opencl.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** An OpenCL function that returned a {@code cl_int} other than {@code CL_SUCCESS}, with its symbolic name. */
public final class OpenClException extends CrossbarException {
    private final String function;
    private final int code;

    /**
     * Creates the error.
     *
     * @param function the OpenCL function, such as {@code clBuildProgram}
     * @param code the code it returned
     * @param detail what the call was about and what to do, or empty
     */
    public OpenClException(String function, int code, String detail) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)%s", function, ClError.name(code), code, detail.isEmpty() ? "" : ": " + detail));
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
     * Returns the error code.
     *
     * @return the {@code cl_int}
     */
    public int code() {
        return code;
    }

    /**
     * Returns the error code's symbolic name.
     *
     * @return the name, such as {@code CL_INVALID_VALUE}
     */
    public String name() {
        return ClError.name(code);
    }
}
