package dev.crossbar.runtime;

import java.util.Arrays;
import java.util.Optional;

/** The backends Crossbar itself publishes: their artifacts and how each is verified without its hardware. */
enum KnownBackend {
    CPU("cpu", "conformance kit, every build"),
    CUDA("cuda", "nvcc/ptxas compile for sm_90"),
    ROCM("rocm", "hiprtc compile for gfx90a"),
    XLA("xla", "StableHLO run on XLA:CPU, compared with cpu"),
    NEURON("neuron", "StableHLO on XLA:CPU; topology unit tests");

    private final String backendName;
    private final String verification;

    KnownBackend(String backendName, String verification) {
        this.backendName = backendName;
        this.verification = verification;
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
