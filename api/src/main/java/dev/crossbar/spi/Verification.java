package dev.crossbar.spi;

import java.util.Objects;

/**
 * How a backend's declarations are verified, as the compatibility matrix reports it: the path its declared cells are
 * checked on (the conformance kit on a device, on an emulator, or by compiling only), and whether its build runs the
 * collective and FSDP conformance suites. A provider states it with {@link BackendProvider#verification()}, so a
 * third-party plugin's row in the matrix says as much as a first-party one's.
 *
 * @param path the verification path in a few words, such as {@code "conformance kit on PoCL, every build"}
 * @param collectives whether the backend's build runs the collective conformance suite
 * @param sharding whether the backend's build runs the FSDP conformance suite (FSDP, HSDP, mixed precision)
 * @param collectiveNote what the build checks of the backend's collectives short of the collective conformance suite,
 *     in a sentence on one line, such as how a graph backend's lowered collectives are checked; empty for nothing
 */
public record Verification(String path, boolean collectives, boolean sharding, String collectiveNote) {
    /**
     * Checks the path.
     *
     * @param path the verification path
     * @param collectives whether collectives are verified
     * @param sharding whether sharding is verified
     * @param collectiveNote what is checked of the collectives short of the suite, or empty
     */
    public Verification {
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(collectiveNote, "collectiveNote is null");
        if (path.isBlank() || path.contains("|") || path.contains("\n")) {
            throw new IllegalArgumentException("A verification path is a few words on one line without '|' (it is a matrix cell), got '" + path + "'");
        }
        if (collectiveNote.contains("\n")) {
            throw new IllegalArgumentException("A collective note is one line (the matrix prints it under its table), got '" + collectiveNote + "'");
        }
    }

    /**
     * States the verification without a collective note.
     *
     * @param path the verification path
     * @param collectives whether collectives are verified
     * @param sharding whether sharding is verified
     */
    public Verification(String path, boolean collectives, boolean sharding) {
        this(path, collectives, sharding, "");
    }

    /**
     * Returns this verification with a note on what is checked of the collectives short of the conformance suite.
     *
     * @param note one line, such as how lowered collectives are checked
     * @return the verification with the note
     */
    public Verification withCollectiveNote(String note) {
        return new Verification(path, collectives, sharding, note);
    }

    /**
     * States how the cells are verified, for a backend whose build runs neither the collective nor the FSDP suite.
     *
     * @param path the verification path
     * @return the verification
     */
    public static Verification ofCells(String path) {
        return new Verification(path, false, false);
    }
}
