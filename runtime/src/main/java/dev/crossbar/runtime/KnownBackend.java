package dev.crossbar.runtime;

import java.util.Arrays;
import java.util.Optional;

/** The backends Crossbar itself publishes: their artifacts and how each is verified without its hardware. */
enum KnownBackend {
    CPU("cpu", "conformance kit, every build"),
    CUDA("cuda", "generated kernels compiled by nvcc/ptxas for sm_90; no GPU here"),
    ROCM("rocm", "generated kernels compiled by hiprtc for gfx90a; no GPU here"),
    XLA("xla", "StableHLO lowerings run on XLA:CPU and compared with cpu"),
    NEURON("neuron", "StableHLO on the XLA:CPU harness; topology rules by unit tests");

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
