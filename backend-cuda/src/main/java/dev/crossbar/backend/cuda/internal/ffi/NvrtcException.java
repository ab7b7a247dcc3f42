package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** An NVRTC function that returned an {@code nvrtcResult} other than {@code NVRTC_SUCCESS}. */
public final class NvrtcException extends CrossbarException {
    private final String function;
    private final int code;
    private final String name;

    /**
     * Creates the error.
     *
     * @param function the NVRTC function, such as {@code nvrtcVersion}
     * @param code the nvrtcResult it returned
     * @param name the result's symbolic name, as {@code nvrtcGetErrorString} gives it
     */
    public NvrtcException(String function, int code, String name) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)", function, name, code));
        this.function = function;
        this.code = code;
        this.name = name;
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
     * @return the name, such as {@code NVRTC_ERROR_INVALID_INPUT}
     */
    public String name() {
        return name;
    }
}
