package dev.crossbar.runtime;

import java.util.Arrays;
import java.util.Optional;

/** The backends Crossbar itself publishes: their artifacts and how each is verified without its hardware. */
enum KnownBackend {
    // Only cpu's build runs the collective conformance suite (CpuCollectiveTest, eight virtual devices).
    CPU("cpu", "conformance kit, every build", true),
    CUDA("cuda", "nvcc/ptxas compile for sm_90", false),
    ROCM("rocm", "hiprtc compile for gfx90a", false),
    XLA("xla", "StableHLO run on XLA:CPU, compared with cpu", false),
    NEURON("neuron", "StableHLO on XLA:CPU; topology unit tests", false);

    private final String backendName;
    private final String verification;
    private final boolean collectivesVerified;

    KnownBackend(String backendName, String verification, boolean collectivesVerified) {
        this.backendName = backendName;
        this.verification = verification;
        this.collectivesVerified = collectivesVerified;
    }

    /** Whether this backend's build runs the collective conformance suite on the in-process communicator. */
    boolean collectivesVerified() {
        return collectivesVerified;
    }

    static Optional<KnownBackend> named(String name) {
        return Arrays.stream(values()).filter(k -> k.backendName.equals(name)).findFirst();
    }

    String backendName() {
        return backendName;
    }

    /** The Maven coordinates to add to use this backend. */
    String coordinates() {
        return "dev.crossbar:crossbar-backend-" + backendName;
    }

    /** How the backend's declared cells are verified, in a few words. */
    String verification() {
        return verification;
    }
}
