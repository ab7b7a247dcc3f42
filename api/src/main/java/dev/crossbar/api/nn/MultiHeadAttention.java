package dev.crossbar.api.nn;

import dev.crossbar.api.Functional;
import dev.crossbar.api.Generator;
import dev.crossbar.api.ShapeMismatchException;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.util.Locale;

/** Multi-head self-attention over {@code [batch, time, width]} with one fused query/key/value projection. */
public final class MultiHeadAttention extends Module {
    private final Linear qkv;
    private final Linear projection;
    private final int heads;
    private final int width;
    private final boolean causal;

    /**
     * Creates the layer.
     *
     * @param scope where the parameters live
     * @param generator the random source for initialization
     * @param width model width, divisible by {@code heads}
     * @param heads number of heads
     * @param causal whether each position attends only to earlier ones
     */
    public MultiHeadAttention(TensorScope scope, Generator generator, int width, int heads, boolean causal) {
        if (heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "MultiHeadAttention: width %d must be a positive multiple of heads %d", width, heads));
        }
        this.qkv = registerModule("qkv", new Linear(scope, generator, width, 3 * width, true));
        this.projection = registerModule("proj", new Linear(scope, generator, width, width, true));
        this.heads = heads;
        this.width = width;
        this.causal = causal;
    }

    @Override
    protected Tensor compute(Tensor input) {
        if (input.rank() != 3 || input.shape().dim(2) != width) {
            throw new ShapeMismatchException("attention", input.shape(), "expected [batch, time, " + width + "]");
        }
        int batch = input.shape().dim(0);
        int time = input.shape().dim(1);
        int headWidth = width / heads;
        try (TensorScope local = TensorScope.localFor(input)) {
            Tensor split = qkv.forward(input).reshape(batch, time, 3, heads, headWidth).permute(2, 0, 3, 1, 4);
            Tensor q = split.slice(0, 0, 1).reshape(batch, heads, time, headWidth);
            Tensor k = split.slice(0, 1, 2).reshape(batch, heads, time, headWidth);
            Tensor v = split.slice(0, 2, 3).reshape(batch, heads, time, headWidth);
            Tensor attended = Functional.scaledDotProductAttention(q, k, v, causal);
            Tensor merged = attended.permute(0, 2, 1, 3).reshape(batch, time, width);
            return local.keep(projection.forward(merged));
        }
    }
}
