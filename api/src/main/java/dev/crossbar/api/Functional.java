package dev.crossbar.api;

import dev.crossbar.spi.kernel.AdamWKernel;
import dev.crossbar.spi.kernel.GeluKernel;
import dev.crossbar.spi.kernel.LayerNormKernel;
import dev.crossbar.spi.kernel.SoftmaxKernel;
import java.util.List;
import java.util.Locale;

/**
 * Composite ops written in the API's primitives, so every backend runs them and autograd differentiates them without
 * further work (PyTorch's {@code torch.nn.functional}). Where a backend has a fused kernel for one
 * ({@link dev.crossbar.spi.kernel.FusedKernel}), it runs in one pass instead; it must match these definitions within
 * the matrix tolerance, and its gradient is the composite's VJP written in primitives.
 */
public final class Functional {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Functional() {
    }

    /** How {@link #gelu} evaluates the Gaussian CDF. */
    public enum GeluApproximation {
        /** Exact: {@code x * (1 + erf(x / sqrt 2)) / 2}. */
        NONE,
        /** The tanh form of Hendrycks and Gimpel, as GPT-2 uses. */
        TANH
    }

    /**
     * Softmax along an axis, computed after subtracting the maximum so large inputs do not overflow.
     *
     * @param x the input, floating
     * @param axis the axis
     * @return {@code exp(x) / sum(exp(x))} along the axis
     */
    public static Tensor softmax(Tensor x, int axis) {
        Tensor fused = fusedSoftmax(x, axis, false);
        if (fused != null) {
            return fused;
        }
        try (Tensor shifted = shiftByMax(x, axis); Tensor e = shifted.exp(); Tensor total = e.sum(new int[] {axis}, true)) {
            return e.div(total);
        }
    }

    /**
     * Log of the softmax along an axis, computed as {@code x - max - log(sum(exp(x - max)))} so it stays finite where
     * the softmax underflows.
     *
     * @param x the input, floating
     * @param axis the axis
     * @return the log-probabilities
     */
    public static Tensor logSoftmax(Tensor x, int axis) {
        Tensor fused = fusedSoftmax(x, axis, true);
        if (fused != null) {
            return fused;
        }
        try (Tensor shifted = shiftByMax(x, axis);
                Tensor e = shifted.exp();
                Tensor total = e.sum(new int[] {axis}, true);
                Tensor logTotal = total.log()) {
            return shifted.sub(logTotal);
        }
    }

    /**
     * Softmax or log-softmax over the last axis with the backend's {@link SoftmaxKernel}, or null when it has none or
     * declines the input. The backward pass recomputes the output from the saved input and applies the softmax VJP,
     * {@code y (g - sum(g y))}, or the log-softmax one, {@code g - exp(y) sum(g)}, in primitives.
     */
    private static Tensor fusedSoftmax(Tensor x, int axis, boolean log) {
        if (x.rank() == 0 || x.shape().normalizeAxis(axis, log ? "log_softmax" : "softmax") != x.rank() - 1) {
            return null;
        }
        SoftmaxKernel kernel = x.fusedKernel(SoftmaxKernel.class).orElse(null);
        if (kernel == null || !kernel.serves(x.view())) {
            return null;
        }
        int[] last = {-1};
        return Grad.function(log ? "log_softmax" : "softmax", List.of(x), () -> softmaxWith(kernel, x, log), (g, saved) -> {
            try (Tensor y = softmaxWith(kernel, saved.getFirst(), log)) {
                if (log) {
                    try (Tensor total = g.sum(last, true); Tensor p = y.exp(); Tensor scaled = p.mul(total)) {
                        return List.of(g.sub(scaled));
                    }
                }
                try (Tensor gy = g.mul(y); Tensor total = gy.sum(last, true); Tensor centered = g.sub(total)) {
                    return List.of(y.mul(centered));
                }
            }
        });
    }

    private static Tensor softmaxWith(SoftmaxKernel kernel, Tensor x, boolean log) {
        Tensor out = x.emptyLike();
        kernel.softmax(out.view(), x.view(), log);
        return out;
    }

    private static Tensor shiftByMax(Tensor x, int axis) {
        // The maximum is a constant shift: it cancels in the result, so no gradient flows through it.
        try (Tensor detached = x.detach(); Tensor max = detached.max(new int[] {axis}, true)) {
            return x.sub(max);
        }
    }

    /**
     * Layer normalization over the last axis: {@code (x - mean) / sqrt(var + eps) * weight + bias}, with the biased
     * variance, as PyTorch's {@code layer_norm}.
     *
     * @param x the input {@code [..., d]}
     * @param weight the scale {@code [d]}, or null for none
     * @param bias the shift {@code [d]}, or null for none
     * @param eps added to the variance
     * @return the normalized tensor
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        Tensor fused = fusedLayerNorm(x, weight, bias, eps);
        if (fused != null) {
            return fused;
        }
        int[] last = {-1};
        try (Tensor mu = x.mean(last, true);
                Tensor centered = x.sub(mu);
                Tensor squared = centered.mul(centered);
                Tensor variance = squared.mean(last, true);
                Tensor shifted = variance.add(eps);
                Tensor inverse = shifted.rsqrt();
                Tensor normalized = centered.mul(inverse)) {
            return affine(normalized, weight, bias);
        }
    }

    /**
     * Layer normalization with the backend's {@link LayerNormKernel}, or null when it has none, either parameter is
     * missing, or it declines the operands. The backward pass computes the three gradients in one kernel call, after
     * bringing the result's gradient to the input's type and row-major layout (it may be a broadcast view).
     */
    private static Tensor fusedLayerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        if (weight == null || bias == null || x.rank() == 0) {
            return null;
        }
        LayerNormKernel kernel = x.fusedKernel(LayerNormKernel.class).orElse(null);
        if (kernel == null || !kernel.serves(x.view(), weight.view(), bias.view())) {
            return null;
        }
        return Grad.function("layer_norm", List.of(x, weight, bias), () -> {
            Tensor out = x.emptyLike();
            kernel.forward(out.view(), x.view(), weight.view(), bias.view(), eps);
            return out;
        }, (g, saved) -> {
            Tensor input = saved.get(0);
            Tensor scale = saved.get(1);
            try (Tensor gradient = rowMajorAs(g, input)) {
                Tensor gradIn = input.emptyLike();
                Tensor gradWeight = scale.emptyLike();
                Tensor gradBias = scale.emptyLike();
                kernel.backward(gradIn.view(), gradWeight.view(), gradBias.view(), gradient.view(), input.view(), scale.view(), eps);
                return List.of(gradIn, gradWeight, gradBias);
            }
        });
    }

    /** A new handle on {@code g} row-major in {@code like}'s type: the kernels of fused ops read it as they read their input. */
    private static Tensor rowMajorAs(Tensor g, Tensor like) {
        return g.dtype() == like.dtype() ? g.contiguous() : g.cast(like.dtype());
    }

    /**
     * Root-mean-square normalization over the last axis: {@code x / sqrt(mean(x^2) + eps) * weight}.
     *
     * @param x the input {@code [..., d]}
     * @param weight the scale {@code [d]}, or null for none
     * @param eps added to the mean square
     * @return the normalized tensor
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        try (Tensor squared = x.mul(x);
                Tensor meanSquare = squared.mean(new int[] {-1}, true);
                Tensor shifted = meanSquare.add(eps);
                Tensor inverse = shifted.rsqrt();
                Tensor normalized = x.mul(inverse)) {
            return affine(normalized, weight, null);
        }
    }

    private static Tensor affine(Tensor normalized, Tensor weight, Tensor bias) {
        Tensor scaled = weight == null ? normalized.alias() : normalized.mul(weight);
        if (bias == null) {
            return scaled;
        }
        try (scaled) {
            return scaled.add(bias);
        }
    }

    /**
     * The Gaussian error linear unit.
     *
     * @param x the input, floating
     * @param approximation exact (erf) or the tanh form
     * @return {@code x * Phi(x)}
     */
    public static Tensor gelu(Tensor x, GeluApproximation approximation) {
        Tensor fused = fusedGelu(x, approximation == GeluApproximation.TANH);
        if (fused != null) {
            return fused;
        }
        if (approximation == GeluApproximation.TANH) {
            try (Tensor x2 = x.mul(x);
                    Tensor x3 = x2.mul(x);
                    Tensor inner = x3.mul(0.044715);
                    Tensor sum = x.add(inner);
                    Tensor scaled = sum.mul(SQRT_2_OVER_PI);
                    Tensor t = scaled.tanh();
                    Tensor onePlus = t.add(1.0);
                    Tensor half = x.mul(0.5)) {
                return half.mul(onePlus);
            }
        }
        try (Tensor scaled = x.mul(1.0 / Math.sqrt(2.0)); Tensor e = scaled.erf(); Tensor onePlus = e.add(1.0); Tensor half = x.mul(0.5)) {
            return half.mul(onePlus);
        }
    }

    /**
     * GELU with the backend's {@link GeluKernel}, or null when it has none or declines the input. The backward pass
     * applies the kernel's derivative to the saved input, in one pass too, after bringing the result's gradient to the
     * input's type and row-major layout (it may be a broadcast view).
     */
    private static Tensor fusedGelu(Tensor x, boolean tanh) {
        GeluKernel kernel = x.fusedKernel(GeluKernel.class).orElse(null);
        if (kernel == null || !kernel.serves(x.view())) {
            return null;
        }
        return Grad.function("gelu", List.of(x), () -> {
            Tensor out = x.emptyLike();
            kernel.gelu(out.view(), x.view(), tanh);
            return out;
        }, (g, saved) -> {
            Tensor input = saved.getFirst();
            try (Tensor gradient = rowMajorAs(g, input)) {
                Tensor gradIn = input.emptyLike();
                kernel.geluBackward(gradIn.view(), gradient.view(), input.view(), tanh);
                return List.of(gradIn);
            }
        });
    }

    /**
     * The sigmoid linear unit (swish).
     *
     * @param x the input, floating
     * @return {@code x * logistic(x)}
     */
    public static Tensor silu(Tensor x) {
        try (Tensor s = x.logistic()) {
            return x.mul(s);
        }
    }

    /**
     * Mean cross-entropy between logits and class indices, with an ignored index and label smoothing as in PyTorch's
     * {@code cross_entropy}: with smoothing {@code s} over {@code C} classes the target distribution is
     * {@code (1 - s)} on the class plus {@code s / C} everywhere.
     *
     * @param logits {@code [n, C]} unnormalized scores
     * @param targets {@code [n]} class indices (I32 or I64) in {@code [0, C)}, or {@code ignoreIndex}
     * @param ignoreIndex targets equal to this contribute nothing (PyTorch's default is -100)
     * @param labelSmoothing in {@code [0, 1]}
     * @return the scalar mean loss over the targets not ignored (NaN when all are ignored, as PyTorch)
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, double labelSmoothing) {
        if (logits.rank() != 2 || targets.rank() != 1 || targets.shape().dim(0) != logits.shape().dim(0)) {
            throw new ShapeMismatchException("cross_entropy", logits.shape(), targets.shape(), "logits must be [n, C] and targets [n]");
        }
        if (labelSmoothing < 0 || labelSmoothing > 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "cross_entropy: labelSmoothing must be in [0, 1], got %s", labelSmoothing));
        }
        int n = logits.shape().dim(0);
        int classes = logits.shape().dim(1);
        DType type = logits.dtype();
        try (TensorScope local = TensorScope.localFor(logits)) {
            Tensor ignore = targets.fullLike(Shape.scalar(), ignoreIndex, targets.dtype());
            Tensor kept = targets.ne(ignore);
            Tensor safeTargets = Tensor.where(kept, targets, targets.fullLike(Shape.scalar(), 0, targets.dtype()));
            Tensor logp = logSoftmax(logits, 1);
            Tensor picked = logp.gather(1, safeTargets.reshape(n, 1)).reshape(n);
            Tensor perExample = picked.neg().mul(1.0 - labelSmoothing);
            if (labelSmoothing > 0) {
                Tensor uniform = logp.sum(new int[] {1}, false).mul(-labelSmoothing / classes);
                perExample = perExample.add(uniform);
            }
            Tensor weights = kept.cast(type);
            Tensor total = perExample.mul(weights).sum();
            Tensor count = weights.sum();
            return local.keep(total.div(count));
        }
    }

    /**
     * Scaled dot-product attention: {@code softmax(q k^T / sqrt(d) + mask) v}.
     *
     * @param query {@code [..., t, d]}
     * @param key {@code [..., s, d]}
     * @param value {@code [..., s, dv]}
     * @param causal whether position {@code i} may attend only to positions {@code j <= i}
     * @return {@code [..., t, dv]}
     */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, boolean causal) {
        int d = query.shape().dim(-1);
        try (TensorScope local = TensorScope.localFor(query)) {
            Tensor scores = query.matmul(key.transpose(-1, -2)).mul(1.0 / Math.sqrt(d));
            if (causal) {
                // The mask as an added [t, s] bias of 0 and -inf: one broadcast add, and the scores' gradient passes
                // through unchanged instead of through a select over every batch and head.
                int t = scores.shape().dim(-2);
                int s = scores.shape().dim(-1);
                Tensor rows = scores.iotaLike(Shape.of(t, s), 0, DType.I32);
                Tensor cols = scores.iotaLike(Shape.of(t, s), 1, DType.I32);
                Tensor allowed = cols.le(rows.add(s - t));
                Tensor mask = Tensor.where(allowed, scores.fullLike(Shape.scalar(), 0, scores.dtype()),
                        scores.fullLike(Shape.scalar(), Double.NEGATIVE_INFINITY, scores.dtype()));
                scores = scores.add(mask);
            }
            Tensor weights = softmax(scores, -1);
            return local.keep(weights.matmul(value));
        }
    }

    /**
     * Inverted dropout: zeroes each element with probability {@code p} and scales the rest by {@code 1 / (1 - p)}.
     * The mask comes from Philox with the given seed and offset, so it is the same on every backend.
     *
     * @param x the input, floating
     * @param p the drop probability, in {@code [0, 1)}
     * @param seed the Philox key
     * @param offset the first Philox counter block; advance it by {@code ceil(size / 4)} per call
     * @param training when false, returns {@code x} unchanged (as a new view)
     * @return the result
     */
    public static Tensor dropout(Tensor x, double p, long seed, long offset, boolean training) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "dropout: p must be in [0, 1), got %s", p));
        }
        if (!training || p == 0) {
            return x.alias();
        }
        try (Tensor u = x.randomLike(dev.crossbar.spi.Op.RNG_UNIFORM, seed, offset);
                Tensor threshold = x.fullLike(Shape.scalar(), p, x.dtype());
                Tensor keep = u.ge(threshold);
                Tensor mask = keep.cast(x.dtype());
                Tensor scaled = mask.mul(1.0 / (1.0 - p))) {
            return x.mul(scaled);
        }
    }

    /**
     * Applies one AdamW step to a parameter in place, as {@link dev.crossbar.api.optim.AdamW} defines it:
     * {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p = p (1 - lr wd) - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)},
     * in one pass with the backend's {@link AdamWKernel} when it has one that serves these tensors, else composed
     * from primitives. Runs with gradient recording off.
     *
     * @param param the parameter's tensor, updated
     * @param grad its gradient, same shape
     * @param m the first moment, same shape, updated
     * @param v the second moment, same shape, updated
     * @param hyper the learning rate, decays, eps, weight decay and 1-based step number
     */
    public static void adamWStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWKernel.AdamWStep hyper) {
        try (Grad.Scope off = Grad.noGrad()) {
            AdamWKernel kernel = param.fusedKernel(AdamWKernel.class).orElse(null);
            if (kernel != null && kernel.serves(param.view(), grad.view(), m.view(), v.view())) {
                kernel.update(param.view(), grad.view(), m.view(), v.view(), hyper);
                return;
            }
            double lr = hyper.learningRate();
            double beta1 = hyper.beta1();
            double beta2 = hyper.beta2();
            try (TensorScope local = TensorScope.localFor(param)) {
                m.assign(m.mul(beta1).add(grad.mul(1 - beta1)));
                v.assign(v.mul(beta2).add(grad.mul(grad).mul(1 - beta2)));
                double correction1 = 1 - Math.pow(beta1, hyper.step());
                double correction2 = 1 - Math.pow(beta2, hyper.step());
                Tensor denominator = v.div(correction2).sqrt().add(hyper.eps());
                Tensor delta = m.div(correction1).div(denominator).mul(lr);
                Tensor decayed = hyper.weightDecay() == 0 ? param : param.mul(1 - lr * hyper.weightDecay());
                param.assign(decayed.sub(delta));
            }
        }
    }
}
