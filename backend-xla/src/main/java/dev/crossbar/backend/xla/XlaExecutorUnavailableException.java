package dev.crossbar.backend.xla;

import dev.crossbar.api.CrossbarException;

/**
 * The xla backend has no executor to run programs on: no loadable PJRT plugin is configured and the verification
 * executor was not selected (or cannot load). The message says what each of the two lacks.
 */
public final class XlaExecutorUnavailableException extends CrossbarException {
    private static final long serialVersionUID = 1L;

    XlaExecutorUnavailableException(String message) {
        super(message);
    }
}
