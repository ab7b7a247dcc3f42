package dev.crossbar.spi.ffi;

import dev.crossbar.api.CrossbarException;

/** A native library that cannot be used: not installed, not loadable, missing a function, or native access denied. */
public final class LibraryUnavailableException extends CrossbarException {
    /**
     * Creates the error.
     *
     * @param message what is missing and how to fix it
     */
    public LibraryUnavailableException(String message) {
        super(message);
    }

    /**
     * Creates the error with its cause.
     *
     * @param message what is missing and how to fix it
     * @param cause the loader's error
     */
    public LibraryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
