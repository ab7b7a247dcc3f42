package dev.crossbar.benchmarks;

import dev.crossbar.api.DType;
import dev.crossbar.api.Functional;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.runtime.Crossbar;
import java.util.function.BinaryOperator;

/**
 * One elementwise op or full reduction over F32 vectors; the inputs are built once, each run computes and frees the
 * result. {@link #bytesMoved(Kind, int)} is what the op must read and write at least, for the comparison with copy bandwidth.
 */
final class ElementwiseWorkload implements Workload {
    /** The ops measured, with the operand count each reads and whether it writes a full-size result. */
    enum Kind {
        ADD(2, true, Tensor::add),
        MUL(2, true, Tensor::mul),
        GELU(1, true, (x, y) -> Functional.gelu(x, Functional.GeluApproximation.NONE)),
        SUM(1, false, (x, y) -> x.sum(0)),
        MAX(1, false, (x, y) -> x.max(0));

        private final int inputs;
        private final boolean writesFullResult;
        private final BinaryOperator<Tensor> op;

        Kind(int inputs, boolean writesFullResult, BinaryOperator<Tensor> op) {
            this.inputs = inputs;
            this.writesFullResult = writesFullResult;
            this.op = op;
        }
    }

    private final Kind kind;
    private final TensorScope scope;
    private final Tensor x;
    private final Tensor y;

    ElementwiseWorkload(Crossbar crossbar, Kind kind, int elements) {
        this.kind = kind;
        this.scope = crossbar.newScope();
        this.x = scope.randNormal(Shape.of(elements), DType.F32, 3, 0, 0, 1);
        this.y = scope.randNormal(Shape.of(elements), DType.F32, 4, 0, 0, 1);
    }

    /** The bytes one operation reads and writes at least: its F32 inputs and, unless it reduces, its result. */
    static long bytesMoved(Kind kind, int elements) {
        return (long) elements * Float.BYTES * (kind.inputs + (kind.writesFullResult ? 1 : 0));
    }

    @Override
    public void run() {
        try (TensorScope step = scope.child()) {
            kind.op.apply(x, y);
        }
    }

    @Override
    public void close() {
        scope.close();
    }
}
