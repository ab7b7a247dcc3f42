import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.runtime.Crossbar;
import dev.crossbar.runtime.Spmd;
import java.util.Locale;

/**
 * The Crossbar side of benchmarks/mpi-allreduce.sh, run under mpirun: float sum all-reduce through Crossbar's MPI
 * process group (the blocking form, which hands the input's memory to MPI without a copy), the same sizes, iteration
 * counts and timing as mpi_allreduce.c. For each size in bytes, rank 0 prints "crossbar <bytes> <seconds per
 * all-reduce>", the best of 5 timed loops after a warm-up loop; every rank checks the sum.
 */
public final class MpiAllReduceBenchmark {
    public static void main(String[] args) {
        int processes = Spmd.launchedWorldSize().orElseThrow(() -> new IllegalStateException("run this under mpirun (benchmarks/mpi-allreduce.sh)"));
        Spmd.call(Crossbar.builder().backend("cpu"), processes, SpmdOptions.defaults(), rank -> {
            for (String arg : args) {
                long bytes = Long.parseLong(arg);
                int count = Math.toIntExact(bytes / Float.BYTES);
                try (TensorScope scope = rank.scope().child()) {
                    Tensor in = scope.full(Shape.of(count), rank.rank() + 1, DType.F32);
                    int iterations = (int) Math.min(20_000, Math.max(8, (1L << 30) / bytes));
                    run(rank, in, iterations / 4 + 1);
                    double best = Double.MAX_VALUE;
                    for (int rep = 0; rep < 5; rep++) {
                        best = Math.min(best, run(rank, in, iterations));
                    }
                    double expected = processes * (processes + 1) / 2.0;
                    try (Tensor sum = rank.world().allReduce(in, ReduceOp.SUM)) {
                        float[] values = sum.toFloatArray();
                        if (values[0] != expected || values[count - 1] != expected) {
                            throw new AssertionError("wrong sum: " + values[0] + ", expected " + expected);
                        }
                    }
                    if (rank.rank() == 0) {
                        System.out.printf(Locale.ROOT, "crossbar %d %.9f%n", bytes, best);
                        System.out.flush();
                    }
                }
            }
            return null;
        });
    }

    /** Seconds per all-reduce over {@code iterations} calls, the slowest rank's. */
    private static double run(RankContext rank, Tensor in, int iterations) {
        ProcessGroup world = rank.world();
        world.barrier();
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            world.allReduce(in, ReduceOp.SUM).close();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        try (TensorScope scope = rank.scope().child()) {
            return world.allReduce(scope.fromArray(new double[] {elapsed}, 1), ReduceOp.MAX).item() / iterations;
        }
    }
}
