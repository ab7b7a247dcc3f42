package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.spi.ffi.NativeCallException;

/** A HIP runtime function that returned a {@code hipError_t} other than {@code hipSuccess}. */
public final class HipException extends NativeCallException {
    /**
     * Creates the error.
     *
     * @param function the HIP function, such as {@code hipGetDeviceCount}
     * @param code the hipError_t it returned
     */
    public HipException(String function, int code) {
        super(function, code, HipError.name(code), "");
    }
}
