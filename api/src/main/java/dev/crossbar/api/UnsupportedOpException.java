package dev.crossbar.api;

import dev.crossbar.spi.Op;
import java.util.Locale;

/**
 * Thrown when the selected backend has no kernel for an op and element type. Crossbar never falls back to another
 * backend silently; see COMPATIBILITY.md for what each backend declares.
 */
public class UnsupportedOpException extends CrossbarException {
    private final String backend;
    private final Op op;
    private final DType dtype;

    /**
     * Creates the error.
     *
     * @param backend the backend's name
     * @param op the op
     * @param dtype the element type
     */
    public UnsupportedOpException(String backend, Op op, DType dtype) {
        super(String.format(Locale.ROOT,
                "Backend '%s' has no kernel for %s on %s; see COMPATIBILITY.md for the cells it declares, or select another backend with -Dcrossbar.backend=NAME",
                backend, op.opName(), dtype));
        this.backend = backend;
        this.op = op;
        this.dtype = dtype;
    }

    /**
     * Returns the backend that lacks the kernel.
     *
     * @return the backend's name
     */
    public String backend() {
        return backend;
    }

    /**
     * Returns the op.
     *
     * @return the op
     */
    public Op op() {
        return op;
    }

    /**
     * Returns the element type.
     *
     * @return the element type
     */
    public DType dtype() {
        return dtype;
    }
}
