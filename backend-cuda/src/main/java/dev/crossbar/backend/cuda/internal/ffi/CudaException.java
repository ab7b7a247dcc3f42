package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.spi.ffi.NativeCallException;

/** A CUDA driver function that returned a {@code CUresult} other than {@code CUDA_SUCCESS}. */
public final class CudaException extends NativeCallException {
    /**
     * Creates the error.
     *
     * @param function the driver function, such as {@code cuInit}
     * @param code the CUresult it returned
     */
    public CudaException(String function, int code) {
        super(function, code, CuResult.name(code), "");
    }
}
