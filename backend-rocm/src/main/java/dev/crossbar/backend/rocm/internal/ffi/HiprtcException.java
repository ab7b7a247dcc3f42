package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.spi.ffi.NativeCallException;

/** A hiprtc function that returned a {@code hiprtcResult} other than {@code HIPRTC_SUCCESS}, with the compiler's log if any. */
public final class HiprtcException extends NativeCallException {
    private final String log;

    /**
     * Creates the error.
     *
     * @param function the hiprtc function, such as {@code hiprtcCompileProgram}
     * @param code the hiprtcResult it returned
     * @param log the program's compilation log, empty when there is none
     */
    public HiprtcException(String function, int code, String log) {
        super(function, code, HiprtcResult.name(code), log.isBlank() ? "" : ":\n" + log);
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
