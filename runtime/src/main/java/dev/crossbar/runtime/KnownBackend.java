package dev.crossbar.runtime;

import java.util.Arrays;
import java.util.Optional;

/**
 * The backends Crossbar itself publishes, in the order the matrix lists them, and their artifacts. How each is
 * verified is stated by its provider ({@link dev.crossbar.spi.BackendProvider#verification()}), as for any plugin.
 */
enum KnownBackend {
    CPU("cpu"),
    CUDA("cuda"),
    ROCM("rocm"),
    XLA("xla"),
    NEURON("neuron");

    private final String backendName;

    KnownBackend(String backendName) {
        this.backendName = backendName;
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
}
