package dev.crossbar.benchmarks;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.ReduceOp;

/** One rank's part of an in-process all-reduce (SUM) of an F32 vector; each run reduces once and frees the result. */
final class AllReduceWorkload implements Workload {
    private final RankContext rank;
    private final TensorScope scope;
    private final Tensor values;

    AllReduceWorkload(RankContext rank, int elements) {
        this.rank = rank;
        this.scope = rank.scope().child();
        this.values = scope.full(Shape.of(elements), rank.rank() + 1, DType.F32);
    }

    @Override
    public void run() {
        try (TensorScope step = scope.child()) {
            rank.world().allReduce(values, ReduceOp.SUM);
        }
    }

    @Override
    public void close() {
        scope.close();
    }
}
