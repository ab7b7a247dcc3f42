package dev.crossbar.benchmarks;

import dev.crossbar.api.TensorScope;
import dev.crossbar.api.Tensor;
import dev.crossbar.runtime.Crossbar;

/**
 * The per-op overhead: adds of two 4-element F32 tensors, from the Java call to its return, including freeing each
 * result (the scope of a run closes them all, as PyTorch frees each result when its last reference goes).
 */
final class DispatchWorkload implements Workload {
    static final int ADDS_PER_RUN = 1000;

    private final TensorScope scope;
    private final Tensor a;
    private final Tensor b;

    DispatchWorkload(Crossbar crossbar) {
        this.scope = crossbar.newScope();
        this.a = scope.fromArray(new float[] {1, 2, 3, 4}, 4);
        this.b = scope.fromArray(new float[] {5, 6, 7, 8}, 4);
    }

    @Override
    public void run() {
        try (TensorScope step = scope.child()) {
            for (int i = 0; i < ADDS_PER_RUN; i++) {
                a.add(b);
            }
        }
    }

    @Override
    public int operationsPerRun() {
        return ADDS_PER_RUN;
    }

    @Override
    public void close() {
        scope.close();
    }
}
