package dev.crossbar.api.checkpoint;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Thrown when a safetensors file or a checkpoint index is malformed. The message names the file, the tensor when one
 * is involved, and what is wrong; {@link #problem()} classifies it so callers and tests need not parse messages.
 */
public class CheckpointFormatException extends CheckpointException {
    /** What is wrong with the file. */
    public enum Problem {
        /** The file is shorter than its 8-byte header length, or than its header says. */
        TRUNCATED,
        /** The stated header length exceeds the reader's limit. */
        HEADER_TOO_LARGE,
        /** The header is not the JSON the format prescribes (syntax, types, missing or unknown fields). */
        MALFORMED_HEADER,
        /** A tensor's element type is not one Crossbar supports. */
        UNKNOWN_DTYPE,
        /** A tensor name appears twice. */
        DUPLICATE_NAME,
        /** A tensor's byte range does not hold {@code product(shape) * dtype size} bytes. */
        SIZE_MISMATCH,
        /** A tensor's byte range ends before it begins or reaches past the data section. */
        OUT_OF_BOUNDS,
        /** Two tensors' byte ranges overlap. */
        OVERLAP,
        /** Some bytes of the data section belong to no tensor. */
        GAP,
        /** The index of a checkpoint disagrees with its files or is of a version this reader does not know. */
        INCONSISTENT_INDEX,
        /** The host's byte order is not little-endian, which the format prescribes. */
        BYTE_ORDER
    }

    private final Problem problem;
    private final String tensor;

    /**
     * Creates the error.
     *
     * @param file the file
     * @param tensor the tensor involved, or null when the problem is not about one tensor
     * @param problem the kind of problem
     * @param message what is wrong, with the values
     */
    public CheckpointFormatException(Path file, String tensor, Problem problem, String message) {
        super(file, (tensor == null ? "" : "tensor '" + tensor + "': ") + message);
        this.problem = Objects.requireNonNull(problem, "problem is null");
        this.tensor = tensor;
    }

    /**
     * Creates the error with a cause.
     *
     * @param file the file
     * @param tensor the tensor involved, or null
     * @param problem the kind of problem
     * @param message what is wrong, with the values
     * @param cause the underlying error, such as a JSON parse error
     */
    public CheckpointFormatException(Path file, String tensor, Problem problem, String message, Throwable cause) {
        super(file, (tensor == null ? "" : "tensor '" + tensor + "': ") + message, cause);
        this.problem = Objects.requireNonNull(problem, "problem is null");
        this.tensor = tensor;
    }

    /**
     * Returns the kind of problem.
     *
     * @return the problem
     */
    public Problem problem() {
        return problem;
    }

    /**
     * Returns the tensor the problem is about.
     *
     * @return its name, or empty when the problem concerns the whole file
     */
    public Optional<String> tensor() {
        return Optional.ofNullable(tensor);
    }
}
