package dev.crossbar.backend.xla.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Optional;

/** A {@code PJRT_Error} returned by a PJRT function, or an event that did not complete in time. */
public final class PjrtException extends CrossbarException {
    private final String function;
    private final transient PjrtErrorCode code;

    PjrtException(String function, PjrtErrorCode code, String message) {
        super(message);
        this.function = function;
        this.code = code;
    }

    /**
     * Returns the PJRT function that failed, or the operation whose event reported the error.
     *
     * @return a name such as {@code PJRT_Client_Compile}
     */
    public String function() {
        return function;
    }

    /**
     * Returns the error's code.
     *
     * @return the code, or empty when the plugin returned a number outside {@code PJRT_Error_Code}
     */
    public Optional<PjrtErrorCode> code() {
        return Optional.ofNullable(code);
    }
}
