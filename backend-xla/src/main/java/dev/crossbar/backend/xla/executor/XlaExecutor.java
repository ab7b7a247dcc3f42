package dev.crossbar.backend.xla.executor;

import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.ValueType;
import java.util.List;
import java.util.Locale;

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

    /**
     * Compiles an SPMD program: one graph per replica, whose collectives name replica ids {@code 0 .. replicas - 1} and
     * correspond in order across the replicas' graphs. A runtime that runs one executable on every replica (a PJRT
     * plugin) needs the graphs to be equal; they differ when ranks record rank-dependent static attributes, such as
     * the offsets of their own shard.
     *
     * <p>An executor that emulates SPMD may run more replicas here than {@link #replicas()}, which counts the replicas
     * of a module given to {@link #compile}.
     *
     * @param replicas the graph of each replica, index = replica id; each as {@link dev.crossbar.backend.xla.stablehlo.StableHloLowering} lowers it
     * @return the executable
     * @throws XlaExecutionException if this executor runs fewer replicas or different programs per replica, or the
     *     runtime rejects the program
     */
    default XlaSpmdExecutable compileSpmd(List<Graph> replicas) {
        throw new XlaExecutionException(String.format(Locale.ROOT, "%s runs programs of %d replica(s), not SPMD programs of %d; run them through a PJRT"
                + " plugin with %d devices", platform(), replicas(), replicas.size(), replicas.size()), null);
    }

    /** Releases the runtime's resources; executables must be closed first. */
    @Override
    void close();
}
