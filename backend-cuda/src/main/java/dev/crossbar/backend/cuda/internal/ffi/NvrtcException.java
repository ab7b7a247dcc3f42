package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.spi.ffi.NativeCallException;

/** An NVRTC function that returned an {@code nvrtcResult} other than {@code NVRTC_SUCCESS}. */
public final class NvrtcException extends NativeCallException {
    private final String log;

    /**
     * Creates the error.
     *
     * @param function the NVRTC function, such as {@code nvrtcCompileProgram}
     * @param code the nvrtcResult it returned
     * @param log the program's compilation log, empty when there is none
     */
    public NvrtcException(String function, int code, String log) {
        super(function, code, NvrtcResult.name(code), log.isBlank() ? "" : ":\n" + log);
        this.log = log;
    }

    /**
     * Returns the compiler's log.
     *
     * @return the log, empty when there is none
     */
    public String log() {
        return log;
    }
}
