package dev.crossbar.backend.xla.internal.ffi;

import dev.crossbar.api.CrossbarException;

/** A PJRT plugin that cannot be used: missing, not loadable, not a PJRT plugin, or native access denied. */
public final class PjrtPluginException extends CrossbarException {
    PjrtPluginException(String message) {
        super(message);
    }

    PjrtPluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
