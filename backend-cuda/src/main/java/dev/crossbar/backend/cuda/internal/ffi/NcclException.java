package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/** An NCCL function that returned a {@code ncclResult_t} other than success. */
public final class NcclException extends CrossbarException {
    private final String function;
    private final int code;

    /**
     * Creates the error.
     *
     * @param function the function, such as {@code ncclAllReduce}
     * @param code the ncclResult_t it returned
     * @param detail what the library says about the failure, empty when it says nothing more than the code
     */
    public NcclException(String function, int code, String detail) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)%s", function, NcclResult.name(code), code, detail.isBlank() ? "" : ": " + detail));
        this.function = function;
        this.code = code;
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
     * Returns the ncclResult_t.
     *
     * @return the number
     */
    public int code() {
        return code;
    }

    /**
     * Returns the ncclResult_t's symbolic name.
     *
     * @return the name, such as {@code ncclInvalidArgument}
     */
    public String name() {
        return NcclResult.name(code);
    }
}
