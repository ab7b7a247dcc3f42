package dev.crossbar.backend.xla.executor;

import dev.crossbar.api.CrossbarException;

/** An XLA runtime refused to compile or run a module, or returned results of the wrong type or shape. */
public final class XlaExecutionException extends CrossbarException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed, with the values
     * @param cause the runtime's exception, or null
     */
    public XlaExecutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
