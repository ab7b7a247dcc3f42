package com.example.opencl.internal.ffi;

import dev.crossbar.spi.ffi.NativeCallException;

/** An OpenCL function that returned a {@code cl_int} other than {@code CL_SUCCESS}, with its symbolic name. */
public final class OpenClException extends NativeCallException {
    /**
     * Creates the error.
     *
     * @param function the OpenCL function, such as {@code clBuildProgram}
     * @param code the code it returned
     * @param detail what the call was about and what to do, or empty
     */
    public OpenClException(String function, int code, String detail) {
        super(function, code, ClError.name(code), detail(detail));
    }
}
