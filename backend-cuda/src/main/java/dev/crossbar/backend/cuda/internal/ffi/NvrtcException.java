package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** An NVRTC function that returned an {@code nvrtcResult} other than {@code NVRTC_SUCCESS}. */
public final class NvrtcException extends CrossbarException {
    private final String function;
    private final int code;
    private final String log;

    /**
     * Creates the error.
     *
     * @param function the NVRTC function, such as {@code nvrtcCompileProgram}
     * @param code the nvrtcResult it returned
     * @param log the program's compilation log, empty when there is none
     */
    public NvrtcException(String function, int code, String log) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)%s", function, NvrtcResult.name(code), code, log.isBlank() ? "" : ":\n" + log));
        this.function = function;
        this.code = code;
        this.log = log;
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
     * Returns the nvrtcResult.
     *
     * @return the number
     */
    public int code() {
        return code;
    }

    /**
     * Returns the nvrtcResult's symbolic name.
     *
     * @return the name, such as {@code NVRTC_ERROR_COMPILATION}
     */
    public String name() {
        return NvrtcResult.name(code);
    }

    /**
     * Returns the compilation log.
     *
     * @return the log, empty when there is none
     */
    public String log() {
        return log;
    }
}
