package dev.crossbar.spi.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.Locale;

/**
 * A native function that returned an error code, carrying the function, the number and its symbolic name, as in
 * {@code cuInit returned CUDA_ERROR_NO_DEVICE (100)}. Each library's exception (CUDA, HIP, cuBLAS, NCCL, OpenCL...)
 * extends it with the names of its own codes.
 */
public abstract class NativeCallException extends CrossbarException {
    private final String function;
    private final int code;
    private final String name;

    /**
     * Creates the error; the message is {@code function returned name (code)} followed by the detail.
     *
     * @param function the function, such as {@code cuInit}
     * @param code the code it returned
     * @param name the code's symbolic name, such as {@code CUDA_ERROR_NO_DEVICE}
     * @param detail appended to the message as is: empty, or text starting with its own separator (see {@link #detail})
     */
    protected NativeCallException(String function, int code, String name, String detail) {
        super(String.format(Locale.ROOT, "%s returned %s (%d)%s", function, name, code, detail));
        this.function = function;
        this.code = code;
        this.name = name;
    }

    /**
     * Returns the separator and text for a detail the library gives: empty for blank text, else {@code ": "} and
     * the text.
     *
     * @param text what the library says beyond the code
     * @return the message's tail
     */
    protected static String detail(String text) {
        return text.isBlank() ? "" : ": " + text;
    }

    /**
     * Returns the function that failed.
     *
     * @return its name
     */
    public final String function() {
        return function;
    }

    /**
     * Returns the code the function returned.
     *
     * @return the number
     */
    public final int code() {
        return code;
    }

    /**
     * Returns the code's symbolic name.
     *
     * @return the name
     */
    public final String name() {
        return name;
    }
}
