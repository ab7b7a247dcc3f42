package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Functional;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The composite ops of {@link Functional} and {@link Tensor#mean}/{@link Tensor#var} on the backend under test,
 * compared with double-precision references written here in plain Java. F32 results are held to {@code 1e-5}
 * relative plus {@code 1e-6} absolute: a handful of F32 roundings per element, each at most {@code 6e-8} relative.
 */
public abstract class CompositeSuite extends BackendFixture {
    private static final double RELATIVE = 1e-5;
    private static final double ABSOLUTE = 1e-6;

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertClose(expected, actual, RELATIVE, ABSOLUTE, what);
    }

    private static void assertClose(double[] expected, float[] actual, double relative, double absolute, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double allowed = relative * Math.abs(expected[i]) + absolute;
            int at = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= allowed,
                    () -> what + "[" + at + "]: expected " + expected[at] + ", got " + actual[at] + " (tolerance " + allowed + ")");
        }
    }

    private static double[] random(long seed, int n, double low, double high) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(low, high);
        }
        return v;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static double[] softmaxReference(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : row) {
            max = Math.max(max, x);
        }
        double total = 0;
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = Math.exp(row[i] - max);
            total += out[i];
        }
        for (int i = 0; i < row.length; i++) {
            out[i] /= total;
        }
        return out;
    }

    /** The error function by its Maclaurin series, exact to double precision for |x| <= 3 with 60 terms. */
    private static double erfSeries(double x) {
        double term = x;
        double sum = x;
        for (int n = 1; n < 60; n++) {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    public final void softmaxOfLargeMagnitudesDoesNotOverflow() {
        try (TensorScope scope = root().child()) {
            double[] row = {1000, 1001, 1002, -1000, 0, 1000};
            Tensor x = scope.fromArray(floats(row), 2, 3);
            float[] p = Functional.softmax(x, -1).toFloatArray();
            double[] expected = new double[6];
            System.arraycopy(softmaxReference(new double[] {1000, 1001, 1002}), 0, expected, 0, 3);
            System.arraycopy(softmaxReference(new double[] {-1000, 0, 1000}), 0, expected, 3, 3);
            assertClose(expected, p, "softmax");
            float[] logp = Functional.logSoftmax(x, -1).toFloatArray();
            double[] expectedLog = {-2.40760596444438, -1.40760596444438, -0.40760596444438, -2000, -1000, 0};
            assertClose(expectedLog, logp, "log_softmax");
        }
    }

    /**
     * Softmax and log-softmax over the last axis (fused where the backend has a {@link dev.crossbar.spi.kernel.SoftmaxKernel})
     * against the double reference on rows around vector widths and with -inf entries, and their gradients against the
     * closed forms {@code y (w - sum(w y))} and {@code w - softmax sum(w)} for the loss {@code sum(w f(x))}.
     */
    @Test
    public final void softmaxAndItsGradientMatchTheReferenceOnEveryRowLength() {
        for (int n : new int[] {1, 7, 16, 33, 65, 1000}) {
            int rows = 3;
            try (TensorScope scope = root().child()) {
                double[] x = random(n, rows * n, -8, 8);
                if (n > 1) {
                    // Masked positions, as causal attention has; a row keeps finite entries.
                    x[n / 2] = Double.NEGATIVE_INFINITY;
                    x[n + 1] = Double.NEGATIVE_INFINITY;
                }
                double[] w = random(n + 1000, rows * n, -1, 1);
                double[] p = new double[rows * n];
                double[] logp = new double[rows * n];
                double[] dSoftmax = new double[rows * n];
                double[] dLog = new double[rows * n];
                for (int r = 0; r < rows; r++) {
                    double[] row = java.util.Arrays.copyOfRange(x, r * n, (r + 1) * n);
                    double[] pr = softmaxReference(row);
                    double wy = 0;
                    double wSum = 0;
                    for (int i = 0; i < n; i++) {
                        wy += w[r * n + i] * pr[i];
                        wSum += w[r * n + i];
                    }
                    for (int i = 0; i < n; i++) {
                        p[r * n + i] = pr[i];
                        logp[r * n + i] = Math.log(pr[i]);
                        dSoftmax[r * n + i] = pr[i] * (w[r * n + i] - wy);
                        dLog[r * n + i] = w[r * n + i] - pr[i] * wSum;
                    }
                }
                Tensor weights = scope.fromArray(floats(w), rows, n);
                for (boolean log : new boolean[] {false, true}) {
                    Tensor input = scope.fromArray(floats(x), rows, n).requiresGrad(true);
                    Tensor y = log ? Functional.logSoftmax(input, -1) : Functional.softmax(input, -1);
                    String what = (log ? "log_softmax" : "softmax") + " rows of " + n;
                    double[] expected = log ? logp : p;
                    float[] got = y.toFloatArray();
                    for (int i = 0; i < got.length; i++) {
                        if (Double.isInfinite(expected[i])) {
                            assertEquals(expected[i], got[i], what + "[" + i + "] of a -inf input");
                            got[i] = 0;
                            expected[i] = 0;
                        }
                    }
                    assertClose(expected, got, what);
                    if (!log) {
                        y.mul(weights).sum().backward();
                        assertClose(dSoftmax, input.grad().orElseThrow().toFloatArray(), what + " gradient");
                    } else {
                        // The -inf inputs have probability 0: their log-softmax gradient is w, finite.
                        y.mul(weights).sum().backward();
                        assertClose(dLog, input.grad().orElseThrow().toFloatArray(), what + " gradient");
                    }
                }
            }
        }
    }

    /**
     * The AdamW step (fused where the backend has a {@link dev.crossbar.spi.kernel.AdamWKernel}) on F32 tensors of
     * lengths around vector widths, against three steps computed here in double. Each F32 element goes through a
     * dozen roundings, within the suite's tolerance.
     */
    @Test
    public final void adamWStepMatchesTheDefinitionInDouble() {
        double lr = 0.01;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double wd = 0.1;
        for (int n : new int[] {1, 15, 16, 17, 100}) {
            try (TensorScope scope = root().child()) {
                double[] p = random(3 * n, n, -2, 2);
                double[] m = new double[n];
                double[] v = new double[n];
                Tensor param = scope.fromArray(floats(p), n);
                Tensor first = scope.zeros(DType.F32, n);
                Tensor second = scope.zeros(DType.F32, n);
                for (int step = 1; step <= 3; step++) {
                    double[] g = random(7 * n + step, n, -1, 1);
                    Functional.adamWStep(param, scope.fromArray(floats(g), n), first, second,
                            new dev.crossbar.spi.kernel.AdamWKernel.AdamWStep(lr, b1, b2, eps, wd, step));
                    for (int i = 0; i < n; i++) {
                        m[i] = b1 * m[i] + (1 - b1) * g[i];
                        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                        p[i] = p[i] * (1 - lr * wd) - lr * (m[i] / (1 - Math.pow(b1, step))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, step))) + eps);
                    }
                    assertClose(p, param.toFloatArray(), "adamw parameter, n=" + n + ", step " + step);
                    assertClose(m, first.toFloatArray(), "adamw first moment, n=" + n + ", step " + step);
                    assertClose(v, second.toFloatArray(), "adamw second moment, n=" + n + ", step " + step);
                }
            }
        }
    }

    @Test
    public final void layerNormAndRmsNormMatchTheDefinitions() {
        int rows = 3;
        int d = 7;
        double[] x = random(1, rows * d, -3, 3);
        double[] w = random(2, d, 0.5, 1.5);
        double[] b = random(3, d, -1, 1);
        double[] layer = new double[rows * d];
        double[] rms = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            double square = 0;
            for (int i = 0; i < d; i++) {
                mean += x[r * d + i] / d;
                square += x[r * d + i] * x[r * d + i] / d;
            }
            double variance = 0;
            for (int i = 0; i < d; i++) {
                variance += (x[r * d + i] - mean) * (x[r * d + i] - mean) / d;
            }
            for (int i = 0; i < d; i++) {
                layer[r * d + i] = (x[r * d + i] - mean) / Math.sqrt(variance + 1e-5) * w[i] + b[i];
                rms[r * d + i] = x[r * d + i] / Math.sqrt(square + 1e-6) * w[i];
            }
        }
        try (TensorScope scope = root().child()) {
            Tensor xt = scope.fromArray(floats(x), rows, d);
            Tensor wt = scope.fromArray(floats(w), d);
            Tensor bt = scope.fromArray(floats(b), d);
            assertClose(layer, Functional.layerNorm(xt, wt, bt, 1e-5).toFloatArray(), "layer_norm");
            assertClose(rms, Functional.rmsNorm(xt, wt, 1e-6).toFloatArray(), "rms_norm");
        }
    }

    /**
     * Layer normalization (fused where the backend has a {@link dev.crossbar.spi.kernel.LayerNormKernel}) on row
     * lengths around vector widths, from a row-major input and from a transposed view (which a fused kernel may
     * decline, so the composite runs), against the double definition, and its three gradients for the loss
     * {@code sum(u y)} against the closed forms: with {@code xhat = (x - mean) r}, {@code r = 1 / sqrt(var + eps)},
     * {@code dx = r (u w - mean(u w) - xhat mean(u w xhat))}, {@code dw = sum over rows of u xhat}, {@code db = sum of u}.
     * Gradients sum up to a thousand products per element: they are held to {@code 1e-4} relative plus {@code 1e-5}.
     */
    @Test
    public final void layerNormAndItsGradientsMatchTheClosedFormsOnEveryRowLength() {
        int rows = 4;
        double eps = 1e-5;
        for (int d : new int[] {1, 7, 16, 33, 128, 1000}) {
            double[] x = random(d + 11, rows * d, -3, 3);
            double[] w = random(d + 12, d, 0.5, 1.5);
            double[] b = random(d + 13, d, -1, 1);
            double[] u = random(d + 14, rows * d, -1, 1);
            double[] y = new double[rows * d];
            double[] dx = new double[rows * d];
            double[] dw = new double[d];
            double[] db = new double[d];
            for (int r = 0; r < rows; r++) {
                double mean = 0;
                for (int i = 0; i < d; i++) {
                    mean += x[r * d + i] / d;
                }
                double variance = 0;
                for (int i = 0; i < d; i++) {
                    variance += (x[r * d + i] - mean) * (x[r * d + i] - mean) / d;
                }
                double inverse = 1 / Math.sqrt(variance + eps);
                double meanUw = 0;
                double meanUwXhat = 0;
                for (int i = 0; i < d; i++) {
                    double xhat = (x[r * d + i] - mean) * inverse;
                    y[r * d + i] = xhat * w[i] + b[i];
                    meanUw += u[r * d + i] * w[i] / d;
                    meanUwXhat += u[r * d + i] * w[i] * xhat / d;
                    dw[i] += u[r * d + i] * xhat;
                    db[i] += u[r * d + i];
                }
                for (int i = 0; i < d; i++) {
                    double xhat = (x[r * d + i] - mean) * inverse;
                    dx[r * d + i] = inverse * (u[r * d + i] * w[i] - meanUw - xhat * meanUwXhat);
                }
            }
            for (boolean transposed : new boolean[] {false, true}) {
                String what = "layer_norm of rows of " + d + (transposed ? " from a transposed view" : "");
                try (TensorScope scope = root().child()) {
                    Tensor input = transposed ? scope.fromArray(floats(transpose(x, rows, d)), d, rows).requiresGrad(true) : scope.fromArray(floats(x), rows, d).requiresGrad(true);
                    Tensor rowsOfInput = transposed ? input.transpose(0, 1) : input;
                    Tensor weight = scope.fromArray(floats(w), d).requiresGrad(true);
                    Tensor bias = scope.fromArray(floats(b), d).requiresGrad(true);
                    Tensor result = Functional.layerNorm(rowsOfInput, weight, bias, eps);
                    assertClose(y, result.toFloatArray(), what);
                    result.mul(scope.fromArray(floats(u), rows, d)).sum().backward();
                    float[] gradient = input.grad().orElseThrow().toFloatArray();
                    assertClose(dx, transposed ? transpose(gradient, d, rows) : gradient, 1e-4, 1e-5, what + ", input gradient");
                    assertClose(dw, weight.grad().orElseThrow().toFloatArray(), 1e-4, 1e-5, what + ", weight gradient");
                    assertClose(db, bias.grad().orElseThrow().toFloatArray(), 1e-4, 1e-5, what + ", bias gradient");
                }
            }
        }
    }

    private static double[] transpose(double[] v, int rows, int columns) {
        double[] t = new double[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                t[c * rows + r] = v[r * columns + c];
            }
        }
        return t;
    }

    private static float[] transpose(float[] v, int rows, int columns) {
        float[] t = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                t[c * rows + r] = v[r * columns + c];
            }
        }
        return t;
    }

    @Test
    public final void activationsMatchTheirFormulas() {
        double[] x = random(4, 64, -3, 3);
        double[] geluErf = new double[x.length];
        double[] geluTanh = new double[x.length];
        double[] silu = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            geluErf[i] = 0.5 * x[i] * (1 + erfSeries(x[i] / Math.sqrt(2)));
            geluTanh[i] = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i])));
            silu[i] = x[i] / (1 + Math.exp(-x[i]));
        }
        try (TensorScope scope = root().child()) {
            Tensor t = scope.fromArray(floats(x), x.length);
            assertClose(geluErf, Functional.gelu(t, Functional.GeluApproximation.NONE).toFloatArray(), "gelu erf");
            assertClose(geluTanh, Functional.gelu(t, Functional.GeluApproximation.TANH).toFloatArray(), "gelu tanh");
            assertClose(silu, Functional.silu(t).toFloatArray(), "silu");
        }
    }

    /**
     * GELU in both forms (fused where the backend has a {@link dev.crossbar.spi.kernel.GeluKernel}) on lengths around
     * vector widths and past a thousand, against the double formulas, and its gradient against the closed-form
     * derivatives for the losses {@code sum(w gelu(x))} and {@code sum(gelu(x))} (whose gradient is a broadcast view):
     * {@code (1 + erf(x / sqrt 2)) / 2 + x exp(-x^2 / 2) / sqrt(2 pi)} and, with {@code u = sqrt(2 / pi) (x + 0.044715 x^3)},
     * {@code (1 + tanh u) / 2 + x (1 - tanh^2 u) sqrt(2 / pi) (1 + 3 * 0.044715 x^2) / 2}.
     */
    @Test
    public final void geluAndItsGradientMatchTheReferenceOnEveryLength() {
        double scale = Math.sqrt(2 / Math.PI);
        for (int n : new int[] {1, 7, 16, 33, 65, 1000, 2500}) {
            double[] x = random(n + 7, n, -4, 4);
            double[] w = random(n + 2000, n, -1, 1);
            for (Functional.GeluApproximation form : Functional.GeluApproximation.values()) {
                boolean tanh = form == Functional.GeluApproximation.TANH;
                double[] value = new double[n];
                double[] slope = new double[n];
                double[] weighted = new double[n];
                for (int i = 0; i < n; i++) {
                    double v = x[i];
                    if (tanh) {
                        double t = Math.tanh(scale * (v + 0.044715 * v * v * v));
                        value[i] = 0.5 * v * (1 + t);
                        slope[i] = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * scale * (1 + 3 * 0.044715 * v * v);
                    } else {
                        double cdf = 0.5 * (1 + erfSeries(v / Math.sqrt(2)));
                        value[i] = v * cdf;
                        slope[i] = cdf + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
                    }
                    weighted[i] = w[i] * slope[i];
                }
                String what = "gelu " + form + " of " + n;
                try (TensorScope scope = root().child()) {
                    Tensor input = scope.fromArray(floats(x), n).requiresGrad(true);
                    Tensor y = Functional.gelu(input, form);
                    assertClose(value, y.toFloatArray(), what);
                    y.mul(scope.fromArray(floats(w), n)).sum().backward();
                    assertClose(weighted, input.grad().orElseThrow().toFloatArray(), what + " gradient");
                    Tensor again = scope.fromArray(floats(x), n).requiresGrad(true);
                    Functional.gelu(again, form).sum().backward();
                    assertClose(slope, again.grad().orElseThrow().toFloatArray(), what + " gradient of the sum");
                }
            }
        }
    }

    @Test
    public final void meanAndVarianceMatchTwoPassReferences() {
        double[] x = random(5, 4 * 6, -2, 2);
        double[] mean = new double[4];
        double[] variance = new double[4];
        for (int r = 0; r < 4; r++) {
            for (int i = 0; i < 6; i++) {
                mean[r] += x[r * 6 + i] / 6;
            }
            for (int i = 0; i < 6; i++) {
                variance[r] += (x[r * 6 + i] - mean[r]) * (x[r * 6 + i] - mean[r]) / 5;
            }
        }
        try (TensorScope scope = root().child()) {
            Tensor t = scope.fromArray(floats(x), 4, 6);
            assertClose(mean, t.mean(1).toFloatArray(), "mean");
            assertClose(variance, t.var(new int[] {1}, false, 1).toFloatArray(), "var (Bessel)");
            assertEquals(DType.F32, scope.fromArray(new int[] {1, 2}, 2).mean().dtype(), "the mean of integers is F32");
        }
    }

    @Test
    public final void crossEntropyMatchesLogSumExpWithIgnoreIndexAndSmoothing() {
        int n = 5;
        int c = 4;
        double[] logits = random(6, n * c, -50, 50);
        long[] targets = {2, -100, 0, 3, 1};
        double smoothing = 0.2;
        double total = 0;
        int counted = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] == -100) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, logits[r * c + j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(logits[r * c + j] - max);
            }
            double logZ = max + Math.log(sum);
            double loss = 0;
            for (int j = 0; j < c; j++) {
                double target = (j == targets[r] ? 1 - smoothing : 0) + smoothing / c;
                loss -= target * (logits[r * c + j] - logZ);
            }
            total += loss;
            counted++;
        }
        try (TensorScope scope = root().child()) {
            Tensor l = scope.fromArray(floats(logits), n, c);
            Tensor t = scope.fromArray(targets, n);
            assertClose(new double[] {total / counted}, Functional.crossEntropy(l, t, -100, smoothing).reshape(1).toFloatArray(), "cross_entropy");
            Tensor allIgnored = scope.fromArray(new long[] {-100, -100, -100, -100, -100}, n);
            assertTrue(Double.isNaN(Functional.crossEntropy(l, allIgnored, -100, 0).item()), "all targets ignored gives NaN, as PyTorch");
        }
    }

    @Test
    public final void causalAttentionMatchesTheLoopReference() {
        int t = 5;
        int d = 3;
        double[] q = random(7, t * d, -1, 1);
        double[] k = random(8, t * d, -1, 1);
        double[] v = random(9, t * d, -1, 1);
        double[] out = new double[t * d];
        for (int i = 0; i < t; i++) {
            double[] scores = new double[i + 1];
            for (int j = 0; j <= i; j++) {
                for (int e = 0; e < d; e++) {
                    scores[j] += q[i * d + e] * k[j * d + e] / Math.sqrt(d);
                }
            }
            double[] weights = softmaxReference(scores);
            for (int j = 0; j <= i; j++) {
                for (int e = 0; e < d; e++) {
                    out[i * d + e] += weights[j] * v[j * d + e];
                }
            }
        }
        try (TensorScope scope = root().child()) {
            Tensor result = Functional.scaledDotProductAttention(
                    scope.fromArray(floats(q), 1, t, d), scope.fromArray(floats(k), 1, t, d), scope.fromArray(floats(v), 1, t, d), true);
            assertEquals(Shape.of(1, t, d), result.shape());
            assertClose(out, result.toFloatArray(), "attention");
        }
    }

    @Test
    public final void dropoutDropsAboutPAndScalesTheRest() {
        int n = 40_000;
        double p = 0.25;
        try (TensorScope scope = root().child()) {
            Tensor ones = scope.ones(DType.F32, n);
            float[] a = Functional.dropout(ones, p, 11, 0, true).toFloatArray();
            float[] b = Functional.dropout(ones, p, 11, 0, true).toFloatArray();
            assertArrayEquals(a, b, "the same seed and offset give the same mask");
            int dropped = 0;
            for (float value : a) {
                if (value == 0) {
                    dropped++;
                } else {
                    assertEquals(1 / (1 - p), value, 1e-6, "kept elements are scaled by 1 / (1 - p)");
                }
            }
            double sigma = Math.sqrt(n * p * (1 - p));
            assertTrue(Math.abs(dropped - n * p) < 5 * sigma, "dropped " + dropped + " of " + n + ", expected " + n * p + " +- " + 5 * sigma);
            assertArrayEquals(ones.toFloatArray(), Functional.dropout(ones, p, 11, 0, false).toFloatArray(), "evaluation mode passes x through");
            assertFalse(java.util.Arrays.equals(a, Functional.dropout(ones, p, 12, 0, true).toFloatArray()), "another seed gives another mask");
        }
    }
}
