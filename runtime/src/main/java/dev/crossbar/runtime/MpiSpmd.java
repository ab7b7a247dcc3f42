package dev.crossbar.runtime;

import dev.crossbar.api.Device;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.RankFunction;
import dev.crossbar.api.distributed.SpmdException;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.runtime.internal.ffi.MpiCommunicator;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.CommunicatorFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SPMD under mpirun: this process is one rank of the job, on the device its local rank maps to, and its collectives
 * travel through MPI, or through the backend's own collectives ({@link Backend#communicators()}, such as NCCL) when
 * every process runs that backend, bootstrapped over MPI. A rank that fails tells the others (their collectives with it
 * fail at once) before it throws.
 */
final class MpiSpmd {
    private MpiSpmd() {
    }

    /** Builds the backend with one device per local process and runs this process's rank; see {@link Spmd}. */
    static <T> List<T> call(Crossbar.Builder builder, int worldSize, SpmdOptions options, RankFunction<T> function) {
        MpiCommunicator mpi = MpiCommunicator.get();
        checkWorldSize(mpi, worldSize);
        try (Crossbar crossbar = builder.property("crossbar.cpu.devices", Integer.toString(mpi.localSize())).build()) {
            return call(crossbar.backend(), "world", worldSize, options, function);
        } catch (RuntimeException | Error e) {
            // Other ranks may be gone: finalizing MPI at exit could wait for them forever.
            mpi.skipFinalize();
            throw e;
        }
    }

    /**
     * Runs this process's rank on the backend's device for its local rank, when the rank is below {@code worldSize}:
     * a world smaller than the job is made of its first processes, and the others only return.
     *
     * @param channel the name of the context's groups, so several runs in one job stay apart
     * @param worldSize the ranks of the run, at most the job's processes
     * @return the values by rank: this rank's value, null for the ranks of the other processes
     */
    static <T> List<T> call(Backend backend, String channel, int worldSize, SpmdOptions options, RankFunction<T> function) {
        MpiCommunicator mpi = MpiCommunicator.get();
        if (worldSize > mpi.size()) {
            checkWorldSize(mpi, worldSize);
        }
        List<T> values = new ArrayList<>(Collections.nCopies(worldSize, null));
        if (mpi.rank() >= worldSize) {
            return values;
        }
        Device device = localDevice(mpi, backend);
        AtomicReference<T> value = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("crossbar-rank-" + mpi.rank()).unstarted(() -> {
            MpiRankContext context = null;
            try (TensorScope root = TensorScope.root(backend, device)) {
                Optional<CommunicatorFactory> factory = backendCommunicators(mpi, channel, worldSize, backend, device, options);
                context = new MpiRankContext(mpi, channel, worldSize, device, root, options.collectiveTimeout(), factory);
                value.set(function.apply(context));
                context.closeBackendGroups();
            } catch (Throwable t) {
                failure.set(t);
                if (context != null) {
                    context.abortBackendGroups("rank " + mpi.rank() + " failed with " + t);
                    try {
                        context.closeBackendGroups();
                    } catch (RuntimeException e) {
                        t.addSuppressed(e);
                    }
                }
            }
        });
        thread.start();
        try {
            if (!thread.join(options.totalTimeout())) {
                mpi.announceFailure(channel, "rank " + mpi.rank() + " exceeded the run's total timeout of " + options.totalTimeout());
                thread.interrupt();
                throw new SpmdException(-1, String.format(Locale.ROOT, "Rank %d of the MPI job did not finish within %s (%s)", mpi.rank(),
                        options.totalTimeout(), SpmdOptions.TOTAL_TIMEOUT_PROPERTY), null);
            }
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
            throw new SpmdException(-1, "Interrupted while waiting for rank " + mpi.rank(), e);
        }
        Throwable failed = failure.get();
        if (failed != null) {
            mpi.announceFailure(channel, failed.toString());
            throw new SpmdException(mpi.rank(), String.format(Locale.ROOT, "Rank %d of %d failed: %s", mpi.rank(), mpi.size(), failed), failed);
        }
        values.set(mpi.rank(), value.get());
        return values;
    }

    /**
     * The backend's collectives when it has them, after checking over MPI that the run's first rank uses the same
     * backend: a device backend's tensors cannot travel through MPI's host-memory collectives, so a job mixing backends
     * fails on the ranks that differ, naming both.
     */
    private static Optional<CommunicatorFactory> backendCommunicators(MpiCommunicator mpi, String channel, int worldSize, Backend backend, Device device,
            SpmdOptions options) {
        Optional<CommunicatorFactory> factory = backend.communicators();
        if (factory.isEmpty()) {
            return factory;
        }
        List<Integer> world = java.util.stream.IntStream.range(0, worldSize).boxed().toList();
        byte[] first = mpi.bootstrap(channel, world, "world " + world, device, options.collectiveTimeout())
                .shareFromRankZero(() -> backend.name().getBytes(StandardCharsets.UTF_8));
        String firstBackend = new String(first, StandardCharsets.UTF_8);
        if (!firstBackend.equals(backend.name())) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "Rank %d runs backend '%s' but rank 0 runs '%s'; '%s' communicates through its own library, so every process of the job must select it "
                            + "(set crossbar.backend=%s for all of them)", mpi.rank(), backend.name(), firstBackend, backend.name(), firstBackend));
        }
        return factory;
    }

    private static void checkWorldSize(MpiCommunicator mpi, int worldSize) {
        if (worldSize != mpi.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "This process is rank %d of an MPI job of %d processes, one rank each, but the SPMD run asks for %d ranks; start it with "
                            + "mpirun -n %d (./crossbar launch -n %d) or ask for %d ranks", mpi.rank(), mpi.size(), worldSize, worldSize, worldSize, mpi.size()));
        }
    }

    /** Local rank {@code r} of a host uses that host's device {@code r}. */
    private static Device localDevice(MpiCommunicator mpi, Backend backend) {
        List<Device> devices = backend.devices();
        if (mpi.localRank() >= devices.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "Local rank %d (of %d processes on this host) needs device %d, but backend '%s' has %d: %s; start at most %d processes per host",
                    mpi.localRank(), mpi.localSize(), mpi.localRank(), backend.name(), devices.size(), devices, devices.size()));
        }
        return devices.get(mpi.localRank());
    }
}
