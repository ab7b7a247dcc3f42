package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Functional;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Gradient checks: the vector-Jacobian product autograd records for every differentiable primitive and composite,
 * compared in F64 with central finite differences of the forward pass on the backend under test.
 *
 * <p>Each case evaluates {@code L(x) = sum(f(x) * w)} with a fixed random {@code w}, so every output element weighs
 * in differently, and compares {@code dL/dx} from {@link Tensor#backward()} with
 * {@code (L(x + h e_i) - L(x - h e_i)) / 2h} for every input element. With {@code h = 1e-6} in F64 the truncation
 * error is about {@code h^2 |f'''|} and the rounding error about {@code 1e-16 |L| / h}, both far below the stated
 * tolerance of {@code 1e-6 * max(1, |g|)}. Inputs stay away from kinks (abs at 0, max at ties) where the derivative is
 * not defined.
 */
public abstract class GradientCheckSuite extends BackendFixture {
    private static final double STEP = 1e-6;
    private static final double TOLERANCE = 1e-6;

    /** One function of some inputs, with the shapes and value ranges of its inputs. */
    private record Case(String name, List<Input> inputs, Function<List<Tensor>, Tensor> function) {
    }

    /** An input's shape and the interval its values are drawn from. */
    private record Input(Shape shape, double low, double high) {
        static Input of(double low, double high, int... dims) {
            return new Input(Shape.of(dims), low, high);
        }
    }

    private static Case unary(String name, double low, double high, Function<Tensor, Tensor> f) {
        return new Case(name, List.of(Input.of(low, high, 2, 3)), xs -> f.apply(xs.getFirst()));
    }

    private static Case binary(String name, Input a, Input b, java.util.function.BinaryOperator<Tensor> f) {
        return new Case(name, List.of(a, b), xs -> f.apply(xs.get(0), xs.get(1)));
    }

    private static List<Case> cases() {
        Input wide = Input.of(-2, 2, 2, 3);
        Input row = Input.of(-2, 2, 3);
        Input column = Input.of(-2, 2, 2, 1);
        Input positive = Input.of(0.5, 2, 2, 3);
        Input positiveRow = Input.of(0.5, 2, 3);
        List<Case> cases = new ArrayList<>(List.of(
                unary("neg", -2, 2, Tensor::neg),
                unary("abs", 0.2, 2, t -> t.neg().abs()),
                unary("exp", -2, 2, Tensor::exp),
                unary("log", 0.5, 3, Tensor::log),
                unary("sqrt", 0.5, 3, Tensor::sqrt),
                unary("rsqrt", 0.5, 3, Tensor::rsqrt),
                unary("tanh", -2, 2, Tensor::tanh),
                unary("logistic", -3, 3, Tensor::logistic),
                unary("sin", -3, 3, Tensor::sin),
                unary("cos", -3, 3, Tensor::cos),
                unary("erf", -2, 2, Tensor::erf),
                binary("add broadcast [2,3]+[3]", wide, row, Tensor::add),
                binary("sub broadcast [2,1]-[3]", column, row, Tensor::sub),
                binary("mul broadcast [2,3]*[2,1]", wide, column, Tensor::mul),
                binary("div broadcast [2,3]/[3]", wide, positiveRow, Tensor::div),
                binary("pow [2,3]^[3]", positive, row, Tensor::pow),
                binary("maximum", wide, Input.of(-2, 2, 2, 3), Tensor::maximum),
                binary("minimum broadcast", wide, row, Tensor::minimum),
                binary("matmul [2,3]@[3,4]", wide, Input.of(-1, 1, 3, 4), Tensor::matmul),
                binary("matmul batched broadcast [2,1,3,4]@[5,4,2]", Input.of(-1, 1, 2, 1, 3, 4), Input.of(-1, 1, 5, 4, 2), Tensor::matmul),
                binary("matmul with a transposed right operand [2,3]@[4,3]^T", wide, Input.of(-1, 1, 4, 3), (a, w) -> a.matmul(w.transpose(0, 1))),
                binary("matmul with a transposed left operand [3,2]^T@[3,4]", Input.of(-1, 1, 3, 2), Input.of(-1, 1, 3, 4), (a, b) -> a.transpose(0, 1).matmul(b)),
                binary("matmul batch times a shared transposed matrix [2,3,4]@[5,4]^T", Input.of(-1, 1, 2, 3, 4), Input.of(-1, 1, 5, 4),
                        (a, w) -> a.matmul(w.transpose(0, 1))),
                binary("matmul batch times a shared matrix [2,3,4]@[4,5]", Input.of(-1, 1, 2, 3, 4), Input.of(-1, 1, 4, 5), Tensor::matmul),
                unary("maximum against a broadcast 0 (ReLU) on both sides", 0.2, 2, t -> t.neg().maximum(0.0).add(t.maximum(0.0))),
                binary("matmul vector-matrix [4]@[4,2]", Input.of(-1, 1, 4), Input.of(-1, 1, 4, 2), Tensor::matmul),
                binary("matmul matrix-vector [3,4]@[4]", Input.of(-1, 1, 3, 4), Input.of(-1, 1, 4), Tensor::matmul),
                binary("matmul dot [4]@[4]", Input.of(-1, 1, 4), Input.of(-1, 1, 4), Tensor::matmul),
                new Case("select broadcast", List.of(wide, row), xs -> Tensor.where(xs.get(0).gt(xs.get(0).zerosLike()), xs.get(0), xs.get(1))),
                new Case("sum over axes {0, 2}", List.of(Input.of(-1, 1, 2, 3, 4)), xs -> xs.getFirst().sum(0, 2)),
                new Case("sum all keepdims", List.of(wide), xs -> xs.getFirst().sum(new int[0], true)),
                new Case("reduce_max over axis 1", List.of(wide), xs -> xs.getFirst().max(1)),
                new Case("reduce_min over axes {0, 1}", List.of(wide), xs -> xs.getFirst().min(0, 1)),
                new Case("reshape", List.of(wide), xs -> xs.getFirst().reshape(3, 2).mul(xs.getFirst().reshape(3, 2))),
                new Case("permute then copy", List.of(Input.of(-1, 1, 2, 3, 4)), xs -> xs.getFirst().permute(2, 0, 1).contiguous().mul(xs.getFirst().permute(2, 0, 1))),
                new Case("broadcast_to", List.of(row), xs -> xs.getFirst().broadcastTo(4, 3)),
                new Case("slice with step", List.of(Input.of(-1, 1, 7, 2)), xs -> xs.getFirst().slice(0, 1, 7, 2)),
                new Case("concat", List.of(wide, Input.of(-1, 1, 2, 2)), xs -> Tensor.concat(1, xs.get(0), xs.get(1))),
                new Case("pad", List.of(wide), xs -> xs.getFirst().pad(new int[] {1, 0}, new int[] {0, 2}, 0.5)),
                new Case("cast F64 to F64", List.of(wide), xs -> xs.getFirst().cast(DType.F64)),
                new Case("gather along axis 1", List.of(Input.of(-1, 1, 3, 4)), xs -> xs.getFirst().gather(1, index(new long[] {3, 0, 1, 1, 2, 2}, 3, 2))),
                new Case("scatter_add base and src", List.of(Input.of(-1, 1, 3, 4), Input.of(-1, 1, 3, 2)),
                        xs -> xs.get(0).scatterAdd(1, index(new long[] {3, 3, 0, 1, 2, 0}, 3, 2), xs.get(1)).mul(xs.get(0))),
                new Case("mean and var", List.of(Input.of(-1, 1, 3, 4)), xs -> xs.getFirst().mean(new int[] {1}, true).add(xs.getFirst().var(new int[] {0}, false, 1))),
                new Case("softmax", List.of(wide), xs -> Functional.softmax(xs.getFirst(), -1)),
                new Case("log_softmax", List.of(wide), xs -> Functional.logSoftmax(xs.getFirst(), 0)),
                new Case("layer_norm", List.of(Input.of(-1, 1, 2, 5), Input.of(0.5, 1.5, 5), Input.of(-1, 1, 5)),
                        xs -> Functional.layerNorm(xs.get(0), xs.get(1), xs.get(2), 1e-5)),
                new Case("rms_norm", List.of(Input.of(-1, 1, 2, 5), Input.of(0.5, 1.5, 5)), xs -> Functional.rmsNorm(xs.get(0), xs.get(1), 1e-6)),
                unary("gelu erf", -3, 3, t -> Functional.gelu(t, Functional.GeluApproximation.NONE)),
                unary("gelu tanh", -3, 3, t -> Functional.gelu(t, Functional.GeluApproximation.TANH)),
                unary("silu", -3, 3, Functional::silu),
                new Case("cross_entropy with ignore index and label smoothing", List.of(Input.of(-2, 2, 4, 5)),
                        xs -> Functional.crossEntropy(xs.getFirst(), index(new long[] {1, -100, 4, 0}, 4), -100, 0.1)),
                new Case("scaled dot-product attention, causal", List.of(Input.of(-1, 1, 2, 3, 4), Input.of(-1, 1, 2, 3, 4), Input.of(-1, 1, 2, 3, 4)),
                        xs -> Functional.scaledDotProductAttention(xs.get(0), xs.get(1), xs.get(2), true))));
        return cases;
    }

    /** Integer indices in the scope of the case being evaluated. */
    private static Tensor index(long[] values, int... dims) {
        return TensorScope.current().orElseThrow().fromArray(values, dims);
    }

    /**
     * One dynamic test per case, named after the op or composite it differentiates.
     *
     * @return the tests
     */
    @TestFactory
    public final Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    /** The gradient through a cast to F32 is the output gradient cast back, exactly. */
    @org.junit.jupiter.api.Test
    public final void castGradientIsTheOutputGradientCastBack() {
        try (TensorScope scope = root().child()) {
            Tensor x = scope.fromArray(new double[] {0.1, -2.5, 3.0}, 3).requiresGrad(true);
            float[] w = {0.3f, -1.7f, 2.2f};
            x.cast(DType.F32).mul(scope.fromArray(w, 3)).sum().backward();
            double[] expected = {w[0], w[1], w[2]};
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, x.grad().orElseThrow().toDoubleArray(), 0.0);
        }
    }

    /** At ties maximum and minimum give each operand half the gradient; elsewhere all of it goes to the winner. */
    @org.junit.jupiter.api.Test
    public final void maximumAndMinimumShareTheGradientAtTies() {
        try (TensorScope scope = root().child()) {
            Tensor x = scope.fromArray(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor y = scope.fromArray(new double[] {1, 0, 5}, 3).requiresGrad(true);
            x.maximum(y).mul(scope.fromArray(new double[] {2, 4, 8}, 3)).sum().add(x.minimum(y).sum()).backward();
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1 + 0.5, 4, 1}, x.grad().orElseThrow().toDoubleArray(), 0.0);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1 + 0.5, 1, 8}, y.grad().orElseThrow().toDoubleArray(), 0.0);
        }
    }

    @org.junit.jupiter.api.Test
    public final void misuseGivesClearErrors() {
        try (TensorScope scope = root().child()) {
            Tensor x = scope.fromArray(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor y = x.mul(x).sum();
            y.backward();
            dev.crossbar.api.CrossbarException twice = org.junit.jupiter.api.Assertions.assertThrows(dev.crossbar.api.CrossbarException.class, y::backward);
            assertTrue(twice.getMessage().contains("already freed by an earlier backward()"), twice.getMessage());
            dev.crossbar.api.ShapeMismatchException vector = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.crossbar.api.ShapeMismatchException.class, () -> x.mul(2.0).backward());
            assertTrue(vector.getMessage().contains("backward(gradient)"), vector.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(dev.crossbar.api.DTypeNotAdmittedException.class,
                    () -> scope.fromArray(new int[] {1, 2}, 2).requiresGrad(true));
            dev.crossbar.api.CrossbarException constant = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.crossbar.api.CrossbarException.class, () -> scope.fromArray(new double[] {1}, 1).sum().backward());
            assertTrue(constant.getMessage().contains("does not require gradients"), constant.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    public final void gradientsAccumulateAndStopAtDetachAndNoGrad() {
        try (TensorScope scope = root().child()) {
            Tensor x = scope.fromArray(new double[] {1, 2}, 2).requiresGrad(true);
            x.mul(3.0).sum().backward();
            x.mul(x).sum().backward();
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {3 + 2, 3 + 4}, x.grad().orElseThrow().toDoubleArray(), 0.0,
                    "two backward passes add up");
            x.zeroGrad();
            x.mul(x.detach()).sum().backward();
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1, 2}, x.grad().orElseThrow().toDoubleArray(), 0.0,
                    "the detached factor is a constant");
            try (Grad.Scope off = Grad.noGrad()) {
                org.junit.jupiter.api.Assertions.assertFalse(x.mul(x).requiresGrad(), "nothing is recorded under noGrad");
            }
        }
    }

    @org.junit.jupiter.api.Test
    public final void keepAndAdoptMoveTheGraphWithTheResult() {
        try (TensorScope scope = root().child()) {
            Tensor x = scope.fromArray(new double[] {0.5, 1.5}, 2).requiresGrad(true);
            double[] expected = {Math.exp(0.5), Math.exp(1.5)};
            Tensor kept;
            try (TensorScope forward = scope.child()) {
                kept = forward.keep(x.exp().sum());
            }
            kept.backward();
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, x.grad().orElseThrow().toDoubleArray(), 1e-12, "keep");
            x.zeroGrad();
            Tensor adopted;
            try (TensorScope forward = scope.child()) {
                adopted = scope.adopt(x.exp().sum());
            }
            adopted.backward();
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, x.grad().orElseThrow().toDoubleArray(), 1e-12, "adopt");
        }
    }

    @org.junit.jupiter.api.Test
    public final void customFunctionsUseTheirOwnBackward() {
        try (TensorScope scope = root().child()) {
            Tensor x = scope.fromArray(new double[] {1.5, -2.0}, 2).requiresGrad(true);
            Tensor cube = Grad.function("cube", List.of(x), () -> x.mul(x).mul(x), g -> List.of(g.mul(x).mul(x).mul(3.0)));
            org.junit.jupiter.api.Assertions.assertTrue(cube.requiresGrad());
            cube.sum().backward();
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {3 * 2.25, 3 * 4.0}, x.grad().orElseThrow().toDoubleArray(), 1e-12);
            Tensor y = scope.fromArray(new double[] {1.0}, 1).requiresGrad(true);
            Tensor wrong = Grad.function("wrong", List.of(y), () -> y.mul(2.0), g -> List.of(g.reshape(1, 1)));
            org.junit.jupiter.api.Assertions.assertThrows(dev.crossbar.api.ShapeMismatchException.class, () -> wrong.sum().backward());
        }
    }

    private void check(Case c) {
        try (TensorScope scope = root().child()) {
            SplittableRandom random = new SplittableRandom(c.name().hashCode());
            List<double[]> values = new ArrayList<>();
            for (Input in : c.inputs()) {
                double[] v = new double[(int) in.shape().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextDouble(in.low(), in.high());
                }
                values.add(v);
            }
            double[] weights;
            List<Tensor> leaves = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                leaves.add(scope.fromArray(values.get(i), c.inputs().get(i).shape().dims()).requiresGrad(true));
            }
            Tensor output = c.function().apply(leaves);
            assertEquals(DType.F64, output.dtype(), c.name() + " must keep F64 so finite differences are accurate");
            weights = new double[(int) output.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = random.nextDouble(0.5, 1.5) * (random.nextBoolean() ? 1 : -1);
            }
            Tensor w = scope.fromArray(weights, output.shape().dims());
            output.mul(w).sum().backward();
            for (int input = 0; input < values.size(); input++) {
                double[] analytic = leaves.get(input).grad().orElseThrow(() -> new AssertionError(c.name() + ": no gradient reached an input")).toDoubleArray();
                double[] numeric = finiteDifferences(c, values, input, w);
                for (int i = 0; i < numeric.length; i++) {
                    double allowed = TOLERANCE * Math.max(1, Math.abs(numeric[i]));
                    int element = i;
                    int which = input;
                    assertTrue(Math.abs(analytic[i] - numeric[i]) <= allowed, () -> String.format(Locale.ROOT,
                            "%s: d/d(input %d)[%d] autograd %.12g, finite differences %.12g (tolerance %.1e)", c.name(), which, element, analytic[element], numeric[element], allowed));
                }
            }
        }
    }

    private double[] finiteDifferences(Case c, List<double[]> values, int input, Tensor weights) {
        double[] x = values.get(input);
        double[] gradient = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double saved = x[i];
            x[i] = saved + STEP;
            double plus = loss(c, values, weights);
            x[i] = saved - STEP;
            double minus = loss(c, values, weights);
            x[i] = saved;
            gradient[i] = (plus - minus) / (2 * STEP);
        }
        return gradient;
    }

    private double loss(Case c, List<double[]> values, Tensor weights) {
        try (TensorScope scope = root().child(); Grad.Scope off = Grad.noGrad()) {
            List<Tensor> inputs = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                inputs.add(scope.fromArray(values.get(i), c.inputs().get(i).shape().dims()));
            }
            return c.function().apply(inputs).mul(weights).sum().item();
        }
    }
}
