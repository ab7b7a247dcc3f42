package dev.crossbar.runtime;

import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.CollectiveException;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.RankFunction;
import dev.crossbar.api.distributed.SpmdException;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.backend.cpu.CpuBackendProvider;
import dev.crossbar.conformance.CollectiveConformanceSuite;
import dev.crossbar.runtime.internal.ffi.MpiCommunicator;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The collective conformance suite with one rank per process of an mpirun job, on the cpu backend, collectives through
 * {@link MpiCommunicator}. Every process runs the whole suite: each case runs its ranks on the job's first processes
 * (a world larger than the job is unavailable), then the processes exchange the ranks' results (or failures) over MPI
 * so that each evaluates the same assertions. Run by {@link MpiConformanceMain} under mpirun, not by surefire.
 */
class MpiCollectiveConformance extends CollectiveConformanceSuite {
    private int runs;

    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, Integer.toString(MpiCommunicator.get().localSize())));
    }

    @Override
    protected int availableRanks() {
        return MpiCommunicator.get().size();
    }

    @Override
    protected <T> List<T> runRanks(int worldSize, SpmdOptions options, RankFunction<T> function) {
        org.junit.jupiter.api.Assumptions.assumeTrue(worldSize <= availableRanks(), () -> String.format(Locale.ROOT,
                "UNAVAILABLE: world size %d needs mpirun -n %d or more; this job has %d processes", worldSize, worldSize, availableRanks()));
        String channel = "conformance-" + runs++;
        Outcome local;
        try {
            List<T> values = MpiSpmd.call(backend(), channel, worldSize, options, function);
            int rank = MpiCommunicator.get().rank();
            local = new Outcome(rank < worldSize ? values.get(rank) : null, null);
        } catch (SpmdException e) {
            local = new Outcome(null, e.getCause() != null ? e.getCause() : e);
        }
        List<Outcome> all = exchange(channel + "-results", local);
        List<T> values = new ArrayList<>(worldSize);
        Integer failedRank = null;
        for (int r = 0; r < worldSize; r++) {
            Outcome o = all.get(r);
            // The first failure that is not a collective failing because of another rank is the cause, as in the in-process run.
            if (o.failure() != null && (failedRank == null
                    || all.get(failedRank).failure() instanceof CollectiveException && !(o.failure() instanceof CollectiveException))) {
                failedRank = r;
            }
            @SuppressWarnings("unchecked")
            T value = (T) o.value();
            values.add(value);
        }
        if (failedRank != null) {
            Throwable first = all.get(failedRank).failure();
            throw new SpmdException(failedRank, String.format(Locale.ROOT, "Rank %d of %d failed: %s", failedRank, worldSize, first), first);
        }
        return values;
    }

    /** One rank's result or failure, as it crosses to the other processes. */
    private record Outcome(Object value, Throwable failure) implements Serializable {
    }

    /** Every process's outcome, by rank, gathered over MPI as serialized bytes. */
    private List<Outcome> exchange(String channel, Outcome local) {
        byte[] bytes = serialize(local);
        MpiCommunicator mpi = MpiCommunicator.get();
        try (TensorScope scope = TensorScope.root(backend(), backend().devices().get(mpi.localRank()))) {
            List<Integer> everyone = IntStream.range(0, mpi.size()).boxed().toList();
            ProcessGroup group = mpi.group(channel, everyone, channel, scope.device(), options().collectiveTimeout());
            long[] lengths = group.allGather(scope.fromArray(new long[] {bytes.length}, 1)).toLongArray();
            int longest = (int) java.util.Arrays.stream(lengths).max().orElseThrow();
            byte[] padded = java.util.Arrays.copyOf(bytes, longest);
            Tensor gathered = group.allGather(scope.fromArray(padded, longest));
            byte[] all = new byte[longest * mpi.size()];
            java.lang.foreign.MemorySegment.copy(gathered.asSegment(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, all, 0, all.length);
            List<Outcome> outcomes = new ArrayList<>();
            for (int r = 0; r < mpi.size(); r++) {
                outcomes.add(deserialize(java.util.Arrays.copyOfRange(all, r * longest, r * longest + (int) lengths[r])));
            }
            return outcomes;
        }
    }

    private static byte[] serialize(Outcome outcome) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(outcome);
        } catch (IOException e) {
            throw new UncheckedIOException("A rank's result is not serializable: " + outcome, e);
        }
        return out.toByteArray();
    }

    private static Outcome deserialize(byte[] bytes) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (Outcome) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot read a rank's result", e);
        }
    }

}
