package dev.crossbar.backend.xla.executor;

import dev.crossbar.spi.graph.ValueType;
import java.util.List;

/**
 * Compiles StableHLO modules and runs them: the one seam between the xla backend's lowering and an XLA runtime. A
 * PJRT client implements it for real devices; TensorFlow Java's {@code XlaCallModule} implements it on XLA:CPU to
 * verify the lowering on machines without a PJRT plugin.
 */
public interface XlaExecutor extends AutoCloseable {
    /**
     * Describes the runtime, for doctor and error messages.
     *
     * @return such as {@code "XLA:CPU through TensorFlow Java 1.1.0 XlaCallModule"}
     */
    String platform();

    /**
     * Returns how many replicas a program runs on: an SPMD program whose collectives span more replicas cannot run
     * here, and the engine refuses it rather than run one replica alone.
     *
     * @return the replicas of every execution, 1 for an executor that runs on one device
     */
    int replicas();

    /**
     * Compiles a module whose {@code main} function takes and returns values of the given types.
     *
     * @param stableHlo the module as StableHLO MLIR text
     * @param parameters the types of {@code main}'s arguments, in order
     * @param results the types of its results, in order; the executable checks what the runtime returns against them
     * @return the executable
     * @throws XlaExecutionException if the runtime rejects the module
     */
    XlaExecutable compile(String stableHlo, List<ValueType> parameters, List<ValueType> results);

    /** Releases the runtime's resources; executables must be closed first. */
    @Override
    void close();
}
