package dev.crossbar.runtime;

import java.util.Arrays;
import java.util.Optional;

/** The backends Crossbar itself publishes: their artifacts and how each is verified without its hardware. */
enum KnownBackend {
    // Only cpu's build runs the collective conformance suite (CpuCollectiveTest, eight virtual devices) and the FSDP
    // suite (CpuFsdpTest, four virtual devices: FSDP, HSDP 2x2 and BF16 mixed precision against single-device training).
    CPU("cpu", "conformance kit, every build", true, true),
    CUDA("cuda", "kernels compiled by nvcc/ptxas for sm_80, sm_90; dot_general by cuBLAS; not run: no device", false, false),
    ROCM("rocm", "hiprtc compile for gfx90a", false, false),
    XLA("xla", "op conformance kit and tiny-GPT training on XLA:CPU (TensorFlow XlaCallModule), every build", false, false),
    NEURON("neuron", "StableHLO on XLA:CPU; topology unit tests", false, false);

    private final String backendName;
    private final String verification;
    private final boolean collectivesVerified;
    private final boolean shardingVerified;

    KnownBackend(String backendName, String verification, boolean collectivesVerified, boolean shardingVerified) {
        this.backendName = backendName;
        this.verification = verification;
        this.collectivesVerified = collectivesVerified;
        this.shardingVerified = shardingVerified;
    }

    /** Whether this backend's build runs the FSDP conformance suite (FSDP, HSDP, mixed precision). */
    boolean shardingVerified() {
        return shardingVerified;
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
