package com.example.opencl.internal.ffi;

import dev.crossbar.api.CrossbarException;

/** {@code libOpenCL.so.1} cannot be used: it is not installed, lacks a function, or native access is denied. */
public final class OpenClUnavailableException extends CrossbarException {
    /**
     * Creates the error.
     *
     * @param message what is missing and how to fix it
     * @param cause the loader's error, or null
     */
    public OpenClUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
