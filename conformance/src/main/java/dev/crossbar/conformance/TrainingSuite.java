package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Functional;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Grad;
import dev.crossbar.api.MemoryAccounting;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.nn.Activation;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.nn.Linear;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.nn.Parameter;
import dev.crossbar.api.nn.Sequential;
import dev.crossbar.api.optim.AdamW;
import dev.crossbar.api.optim.GradientClipping;
import dev.crossbar.api.optim.Optimizer;
import dev.crossbar.api.optim.Sgd;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training on the backend under test: optimizers against steps computed by hand in double, modules against their
 * definitions, and a long training loop whose memory must return to its baseline.
 */
public abstract class TrainingSuite extends BackendFixture {

    /** A parameter {@code p} with loss {@code sum(c * p)}, whose gradient is always {@code c}. */
    private static void constantGradient(TensorScope scope, Parameter p, double[] c) {
        try (TensorScope step = scope.child()) {
            p.value().mul(step.fromArray(c, c.length)).sum().backward();
        }
    }

    @Test
    public final void sgdWithMomentumNesterovAndWeightDecayFollowsTheHandComputedSteps() {
        try (TensorScope scope = root().child()) {
            double[] c = {0.5, -1.0};
            double lr = 0.1;
            double mu = 0.9;
            double wd = 0.01;
            for (boolean nesterov : new boolean[] {false, true}) {
                Parameter p = new Parameter(scope.fromArray(new double[] {1.0, -2.0}, 2));
                Optimizer sgd = new Sgd(List.of(p), lr, mu, nesterov, wd);
                double[] expected = {1.0, -2.0};
                double[] buffer = new double[2];
                for (int step = 0; step < 3; step++) {
                    constantGradient(scope, p, c);
                    sgd.step();
                    sgd.zeroGrad();
                    for (int i = 0; i < 2; i++) {
                        double g = c[i] + wd * expected[i];
                        buffer[i] = step == 0 ? g : mu * buffer[i] + g;
                        expected[i] -= lr * (nesterov ? g + mu * buffer[i] : buffer[i]);
                    }
                    assertArrayEquals(expected, p.value().toDoubleArray(), 1e-12, "nesterov=" + nesterov + " step " + step);
                }
            }
        }
    }

    @Test
    public final void adamWFollowsTheHandComputedSteps() {
        try (TensorScope scope = root().child()) {
            double lr = 0.01;
            double b1 = 0.9;
            double b2 = 0.999;
            double eps = 1e-8;
            double wd = 0.1;
            Parameter p = new Parameter(scope.fromArray(new double[] {1.0, -2.0, 0.5}, 3));
            Optimizer adam = new AdamW(List.of(p), lr, b1, b2, eps, wd);
            double[][] grads = {{0.5, -1.0, 2.0}, {-0.3, 0.2, 1.0}, {0.1, 0.1, -0.4}};
            double[] expected = {1.0, -2.0, 0.5};
            double[] m = new double[3];
            double[] v = new double[3];
            for (int step = 1; step <= grads.length; step++) {
                constantGradient(scope, p, grads[step - 1]);
                adam.step();
                adam.zeroGrad();
                for (int i = 0; i < 3; i++) {
                    double g = grads[step - 1][i];
                    expected[i] *= 1 - lr * wd;
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    double mHat = m[i] / (1 - Math.pow(b1, step));
                    double vHat = v[i] / (1 - Math.pow(b2, step));
                    expected[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
                assertArrayEquals(expected, p.value().toDoubleArray(), 1e-12, "step " + step);
            }
        }
    }

    @Test
    public final void clippingScalesGradientsToTheGlobalNorm() {
        try (TensorScope scope = root().child()) {
            Parameter a = new Parameter(scope.fromArray(new double[] {0, 0}, 2));
            Parameter b = new Parameter(scope.fromArray(new double[] {0}, 1));
            constantGradient(scope, a, new double[] {3, 0});
            constantGradient(scope, b, new double[] {4});
            double norm = GradientClipping.clipByGlobalNorm(List.of(a, b), 1.0);
            assertEquals(5.0, norm, 1e-12);
            assertArrayEquals(new double[] {0.6, 0}, a.grad().orElseThrow().toDoubleArray(), 1e-6);
            assertArrayEquals(new double[] {0.8}, b.grad().orElseThrow().toDoubleArray(), 1e-6);
            assertEquals(1.0, GradientClipping.clipByGlobalNorm(List.of(a, b), 2.0), 1e-6, "a norm below the bound is left alone");
            assertArrayEquals(new double[] {0.6, 0}, a.grad().orElseThrow().toDoubleArray(), 1e-6);
        }
    }

    @Test
    public final void linearComputesXWTransposePlusBAndStateDictsRoundTrip() {
        try (TensorScope scope = root().child()) {
            Linear layer = new Linear(scope, new Generator(3), 3, 2, true);
            Map<String, Tensor> state = layer.stateDict();
            assertEquals(List.of("weight", "bias"), List.copyOf(state.keySet()));
            double[] w = state.get("weight").toDoubleArray();
            double[] b = state.get("bias").toDoubleArray();
            double bound = 1 / Math.sqrt(3);
            for (double value : w) {
                assertTrue(Math.abs(value) <= bound, "weights are uniform in +-1/sqrt(in), got " + value);
            }
            double[] x = {1, 2, 3, -1, 0, 0.5};
            float[] y = layer.forward(scope.fromArray(new float[] {1, 2, 3, -1, 0, 0.5f}, 2, 3)).toFloatArray();
            for (int r = 0; r < 2; r++) {
                for (int o = 0; o < 2; o++) {
                    double expected = b[o];
                    for (int i = 0; i < 3; i++) {
                        expected += x[r * 3 + i] * w[o * 3 + i];
                    }
                    assertEquals(expected, y[r * 2 + o], 1e-5, "y[" + r + "][" + o + "]");
                }
            }
            Linear other = new Linear(scope, new Generator(4), 3, 2, true);
            other.loadStateDict(state);
            assertArrayEquals(w, other.stateDict().get("weight").toDoubleArray());
            assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(Map.of("weight", state.get("weight"))));
        }
    }

    @Test
    public final void aThousandTrainingStepsLeaveMemoryAtItsBaseline() {
        try (TensorScope scope = root().child()) {
            Generator generator = new Generator(5);
            Module model = new Sequential(new Linear(scope, generator, 4, 16, true), Activation.gelu(), new Linear(scope, generator, 16, 3, true));
            Optimizer optimizer = new AdamW(model.parameters(), 1e-2, 0.9, 0.999, 1e-8, 0.01);
            Tensor x = generator.normal(scope, Shape.of(8, 4), DType.F32, 0, 1);
            Tensor y = scope.fromArray(new long[] {0, 1, 2, 0, 1, 2, 0, 1}, 8);
            MemoryAccounting.Snapshot baseline = null;
            double firstLoss = 0;
            double lastLoss = 0;
            for (int step = 0; step < 1000; step++) {
                try (TensorScope stepScope = scope.child()) {
                    Tensor loss = Functional.crossEntropy(model.forward(x), y, -100, 0);
                    loss.backward();
                    GradientClipping.clipByGlobalNorm(model.parameters(), 1.0);
                    optimizer.step();
                    optimizer.zeroGrad();
                    lastLoss = loss.item();
                    firstLoss = step == 0 ? lastLoss : firstLoss;
                }
                MemoryAccounting.Snapshot now = MemoryAccounting.snapshot();
                if (step == 0) {
                    baseline = now;
                } else {
                    assertEquals(baseline.liveTensors(), now.liveTensors(), "live tensors after step " + step);
                    assertEquals(baseline.bytesByDevice(), now.bytesByDevice(), "live bytes after step " + step);
                }
            }
            assertTrue(lastLoss < firstLoss / 10, "training must make progress: loss " + firstLoss + " -> " + lastLoss);
        }
    }

    @Test
    public final void aTinyGptLearnsToRepeatASequence() {
        try (TensorScope scope = root().child()) {
            Gpt model = new Gpt(scope, new Generator(9), new Gpt.Config(8, 8, 1, 2, 16));
            Optimizer optimizer = new AdamW(model.parameters(), 1e-2, 0.9, 0.99, 1e-8, 0);
            Tensor input = scope.fromArray(new long[] {1, 2, 3, 4, 5, 6, 7}, 1, 7);
            Tensor target = scope.fromArray(new long[] {2, 3, 4, 5, 6, 7, 0}, 7);
            double first = 0;
            double last = 0;
            for (int step = 0; step < 60; step++) {
                try (TensorScope stepScope = scope.child()) {
                    Tensor loss = Functional.crossEntropy(model.forward(input).reshape(7, 8), target, -100, 0);
                    loss.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    last = loss.item();
                    first = step == 0 ? last : first;
                }
            }
            assertTrue(first > 1.5 && last < 0.2, "loss should fall from about ln 8 to near 0: " + first + " -> " + last);
            try (TensorScope check = scope.child(); Grad.Scope off = Grad.noGrad()) {
                assertArrayEquals(new long[] {2, 3, 4, 5, 6, 7, 0}, model.forward(input).argmax(-1, false).reshape(7).toLongArray());
            }
        }
    }
}
