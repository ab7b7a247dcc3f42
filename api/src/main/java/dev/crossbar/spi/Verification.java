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
 * @param collectivesStatus what the matrix states for collectives the build does not verify, in a few words, such as
 *     {@code "bindings compiled and unit-tested; not run: no device"}; empty for "not yet"
 */
public record Verification(String path, boolean collectives, boolean sharding, String collectivesStatus) {
    /**
     * Checks the path.
     *
     * @param path the verification path
     * @param collectives whether collectives are verified
     * @param sharding whether sharding is verified
     * @param collectivesStatus the state of unverified collectives, or empty
     */
    public Verification {
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(collectivesStatus, "collectivesStatus is null");
        if (path.isBlank() || path.contains("|") || path.contains("\n")) {
            throw new IllegalArgumentException("A verification path is a few words on one line without '|' (it is a matrix cell), got '" + path + "'");
        }
        if (collectivesStatus.contains("|") || collectivesStatus.contains("\n")) {
            throw new IllegalArgumentException("A collectives status is a few words on one line without '|' (it is a matrix cell), got '" + collectivesStatus + "'");
        }
    }

    /**
     * States a verification whose unverified collectives the matrix shows as "not yet".
     *
     * @param path the verification path
     * @param collectives whether collectives are verified
     * @param sharding whether sharding is verified
     */
    public Verification(String path, boolean collectives, boolean sharding) {
        this(path, collectives, sharding, "");
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

    /**
     * States how the cells are verified and how far the backend's own collectives are, for a backend whose build runs
     * the collective suite only where its device is present.
     *
     * @param path the verification path
     * @param collectivesStatus what is verified of the collectives, such as
     *     {@code "bindings compiled and unit-tested; not run: no device"}
     * @return the verification
     */
    public static Verification ofCells(String path, String collectivesStatus) {
        return new Verification(path, false, false, collectivesStatus);
    }
}
