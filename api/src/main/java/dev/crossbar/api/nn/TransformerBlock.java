package dev.crossbar.api.nn;

import dev.crossbar.api.Generator;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;

/** A pre-norm transformer block: {@code x + attn(ln1(x))}, then {@code x + mlp(ln2(x))} with a 4x GELU MLP. */
public final class TransformerBlock extends Module {
    private final LayerNorm norm1;
    private final MultiHeadAttention attention;
    private final LayerNorm norm2;
    private final Sequential mlp;

    /**
     * Creates the block.
     *
     * @param scope where the parameters live
     * @param generator the random source for initialization
     * @param width model width
     * @param heads attention heads
     * @param causal whether attention is causal
     */
    public TransformerBlock(TensorScope scope, Generator generator, int width, int heads, boolean causal) {
        this.norm1 = registerModule("ln1", new LayerNorm(scope, width, 1e-5));
        this.attention = registerModule("attn", new MultiHeadAttention(scope, generator, width, heads, causal));
        this.norm2 = registerModule("ln2", new LayerNorm(scope, width, 1e-5));
        this.mlp = registerModule("mlp", new Sequential(
                new Linear(scope, generator, width, 4 * width, true), Activation.gelu(), new Linear(scope, generator, 4 * width, width, true)));
    }

    @Override
    protected Tensor compute(Tensor input) {
        try (TensorScope local = TensorScope.localFor(input)) {
            Tensor x = input.add(attention.forward(norm1.forward(input)));
            return local.keep(x.add(mlp.forward(norm2.forward(x))));
        }
    }
}
