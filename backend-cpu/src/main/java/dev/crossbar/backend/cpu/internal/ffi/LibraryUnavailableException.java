package dev.crossbar.backend.cpu.internal.ffi;

import dev.crossbar.api.CrossbarException;

/** A native library that cannot be used: not installed, not loadable, missing a function, or native access denied. */
public final class LibraryUnavailableException extends CrossbarException {
    LibraryUnavailableException(String message) {
        super(message);
    }

    LibraryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
