package dev.crossbar.runtime;

import static java.util.Objects.requireNonNull;

import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.RankBody;
import dev.crossbar.api.distributed.RankFunction;
import dev.crossbar.api.distributed.SpmdException;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.runtime.internal.ffi.MpiCommunicator;
import java.util.List;

/**
 * Runs SPMD code in this JVM: one rank per device, each on its own platform thread, with collectives between them.
 * The backend is the cpu backend, with {@code crossbar.cpu.devices} set to the world size so it exposes one virtual
 * device per rank, unless {@code crossbar.backend} or {@code CROSSBAR_BACKEND} names another (which then needs a
 * device per rank); {@link #call(Crossbar.Builder, int, SpmdOptions, RankFunction)} takes any configuration.
 *
 * <pre>{@code
 * Spmd.run(4, rank -> {
 *     Tensor grad = rank.scope().full(Shape.of(3), rank.rank(), DType.F32);
 *     Tensor mean = rank.world().allReduce(grad, ReduceOp.AVG);   // 1.5 on every rank
 * });
 * }</pre>
 *
 * <p>Under Open MPI's {@code mpirun} (detected by {@code OMPI_COMM_WORLD_SIZE}) each process is one rank instead: the
 * world size must equal the job's, rank and size come from {@code MPI_COMM_WORLD}, local rank {@code r} of a host
 * ({@code OMPI_COMM_WORLD_LOCAL_RANK}) uses that host's device {@code r} (the cpu backend gets one virtual device per
 * local process), and collectives travel through MPI. The returned list then holds this process's value at its rank
 * and null for the others; a failing rank tells the other processes, whose collectives with it fail at once. Without
 * mpirun everything runs in this JVM, and a world of 1 is a single process.
 *
 * <p>Rank {@code r} runs on device {@code r} with a root scope there ({@link dev.crossbar.api.distributed.RankContext}).
 * The first rank failure stops the others and is thrown as the cause of an {@link SpmdException}. Collectives time out
 * after {@code crossbar.collective.timeout} (60 s), the run after {@code crossbar.spmd.timeout} (1 h); see
 * {@link SpmdOptions}. The communicator is the in-process one of {@link InProcessSpmd}, which works on any eager
 * backend.
 */
public final class Spmd {
    private Spmd() {
    }

    /**
     * Runs {@code body} on {@code worldSize} ranks and waits for all of them.
     *
     * @param worldSize the number of ranks, at least 1
     * @param body what each rank runs
     * @throws SpmdException if a rank failed or the run timed out
     */
    public static void run(int worldSize, RankBody body) {
        requireNonNull(body, "body is null");
        call(defaultBuilder(), worldSize, SpmdOptions.defaults(), rank -> {
            body.run(rank);
            return null;
        });
    }

    /**
     * Runs {@code function} on {@code worldSize} ranks and returns their values.
     *
     * @param <T> the value each rank returns
     * @param worldSize the number of ranks, at least 1
     * @param function what each rank runs
     * @return the values, index = rank
     * @throws SpmdException if a rank failed or the run timed out
     */
    public static <T> List<T> call(int worldSize, RankFunction<T> function) {
        return call(defaultBuilder(), worldSize, SpmdOptions.defaults(), function);
    }

    /**
     * Returns the number of ranks this process belongs to when mpirun started it, so programs can default their world
     * size to the job's.
     *
     * @return the job's number of processes under mpirun ({@code OMPI_COMM_WORLD_SIZE}), or empty without mpirun
     */
    public static java.util.OptionalInt launchedWorldSize() {
        String size = System.getenv(MpiCommunicator.WORLD_SIZE_VARIABLE);
        return size == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(Integer.parseInt(size.strip()));
    }

    /** The cpu backend unless the process names one: SPMD on one machine means virtual cpu devices. */
    private static Crossbar.Builder defaultBuilder() {
        boolean named = System.getProperty(RuntimeConfiguration.BACKEND) != null
                || System.getenv(RuntimeConfiguration.environmentVariable(RuntimeConfiguration.BACKEND)) != null;
        return named ? Crossbar.builder() : Crossbar.builder().backend("cpu");
    }

    /**
     * Runs {@code function} on {@code worldSize} ranks of the backend a configured builder selects.
     *
     * @param <T> the value each rank returns
     * @param builder the runtime's configuration; {@code crossbar.cpu.devices} is set to {@code worldSize}
     * @param worldSize the number of ranks, at least 1
     * @param options the timeouts
     * @param function what each rank runs
     * @return the values, index = rank (under mpirun only this process's rank has its value, the others are null)
     * @throws SpmdException if a rank failed or the run timed out
     * @throws IllegalArgumentException if the selected backend has fewer than {@code worldSize} devices, or under
     *     mpirun if {@code worldSize} differs from the job's number of processes
     */
    public static <T> List<T> call(Crossbar.Builder builder, int worldSize, SpmdOptions options, RankFunction<T> function) {
        requireNonNull(builder, "builder is null");
        requireNonNull(options, "options is null");
        requireNonNull(function, "function is null");
        if (worldSize < 1) {
            throw new IllegalArgumentException("The world size must be >= 1, got " + worldSize);
        }
        if (MpiCommunicator.launchedByMpirun()) {
            return MpiSpmd.call(builder, worldSize, options, function);
        }
        try (Crossbar crossbar = builder.property("crossbar.cpu.devices", Integer.toString(worldSize)).build()) {
            return InProcessSpmd.call(crossbar.backend(), worldSize, options, function);
        }
    }
}
