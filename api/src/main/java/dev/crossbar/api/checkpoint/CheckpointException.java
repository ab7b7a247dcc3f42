package dev.crossbar.api.checkpoint;

import dev.crossbar.api.CrossbarException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Thrown when a checkpoint cannot be written or read: an I/O error, a missing or incomplete checkpoint, or a
 * checkpoint that does not fit what the caller asked for. The message names the file.
 */
public class CheckpointException extends CrossbarException {
    private final Path file;

    /**
     * Creates the error.
     *
     * @param file the file or directory involved
     * @param message what happened, with the values, and the fix
     */
    public CheckpointException(Path file, String message) {
        super(file + ": " + message);
        this.file = Objects.requireNonNull(file, "file is null");
    }

    /**
     * Creates the error with a cause.
     *
     * @param file the file or directory involved
     * @param message what happened, with the values, and the fix
     * @param cause the underlying error, usually an {@link java.io.IOException}
     */
    public CheckpointException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = Objects.requireNonNull(file, "file is null");
    }

    /**
     * Returns the file or directory the error is about.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }
}
