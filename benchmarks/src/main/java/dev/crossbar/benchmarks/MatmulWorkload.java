package dev.crossbar.benchmarks;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.runtime.Crossbar;

/** {@code [m, k] x [k, n]} in one type; the inputs are built once, each run computes and frees the product. */
final class MatmulWorkload implements Workload {
    private final TensorScope scope;
    private final Tensor a;
    private final Tensor b;

    MatmulWorkload(Crossbar crossbar, int m, int k, int n, DType dtype) {
        this.scope = crossbar.newScope();
        this.a = scope.randNormal(Shape.of(m, k), DType.F32, 1, 0, 0, 1).cast(dtype);
        this.b = scope.randNormal(Shape.of(k, n), DType.F32, 2, 0, 0, 1).cast(dtype);
    }

    @Override
    public void run() {
        try (TensorScope step = scope.child()) {
            a.matmul(b);
        }
    }

    @Override
    public void close() {
        scope.close();
    }
}
