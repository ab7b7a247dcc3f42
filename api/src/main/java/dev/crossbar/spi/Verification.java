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
 */
public record Verification(String path, boolean collectives, boolean sharding) {
    /**
     * Checks the path.
     *
     * @param path the verification path
     * @param collectives whether collectives are verified
     * @param sharding whether sharding is verified
     */
    public Verification {
        Objects.requireNonNull(path, "path is null");
        if (path.isBlank() || path.contains("|") || path.contains("\n")) {
            throw new IllegalArgumentException("A verification path is a few words on one line without '|' (it is a matrix cell), got '" + path + "'");
        }
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
