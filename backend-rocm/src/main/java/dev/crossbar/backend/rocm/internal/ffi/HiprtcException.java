package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** A hiprtc function that returned a {@code hiprtcResult} other than {@code HIPRTC_SUCCESS}, with the compiler's log if any. */
public final class HiprtcException extends CrossbarException {
    private final String function;
    private final int code;
    private final String log;

    /**
     * Creates the error.
     *
     * @param function the hiprtc function, such as {@code hiprtcCompileProgram}
     * @param code the hiprtcResult it returned
     * @param log the program's compilation log, empty when there is none
     */
    public HiprtcException(String function, int code, String log) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)%s", function, HiprtcResult.name(code), code, log.isBlank() ? "" : ":\n" + log));
        this.function = function;
        this.code = code;
        this.log = log;
    }

    /**
     * Returns the function that failed.
     *
     * @return its name, such as {@code hiprtcCompileProgram}
     */
    public String function() {
        return function;
    }

    /**
     * Returns the hiprtcResult.
     *
     * @return the number
     */
    public int code() {
        return code;
    }

    /**
     * Returns the hiprtcResult's symbolic name.
     *
     * @return the name, such as {@code HIPRTC_ERROR_COMPILATION}
     */
    public String name() {
        return HiprtcResult.name(code);
    }

    /**
     * Returns the compilation log.
     *
     * @return the log, empty when the program has none
     */
    public String log() {
        return log;
    }
}
