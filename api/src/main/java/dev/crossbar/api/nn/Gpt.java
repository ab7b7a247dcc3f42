package dev.crossbar.api.nn;

import dev.crossbar.api.DType;
import dev.crossbar.api.Generator;
import dev.crossbar.api.ShapeMismatchException;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A decoder-only transformer language model (GPT-2 layout): token and position embeddings, pre-norm causal blocks, a
 * final layer norm and a linear head to vocabulary logits.
 */
public final class Gpt extends Module {
    private final Embedding tokens;
    private final Embedding positions;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear head;
    private final int context;

    /**
     * The model's size.
     *
     * @param vocabulary number of token ids
     * @param context longest sequence
     * @param layers number of blocks
     * @param heads attention heads per block
     * @param width model width
     */
    public record Config(int vocabulary, int context, int layers, int heads, int width) {
    }

    /**
     * Creates the model.
     *
     * @param scope where the parameters live
     * @param generator the random source for initialization
     * @param config the size
     */
    public Gpt(TensorScope scope, Generator generator, Config config) {
        this.context = config.context();
        this.tokens = registerModule("tok", new Embedding(scope, generator, config.vocabulary(), config.width()));
        this.positions = registerModule("pos", new Embedding(scope, generator, config.context(), config.width()));
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(registerModule("block" + i, new TransformerBlock(scope, generator, config.width(), config.heads(), true)));
        }
        this.finalNorm = registerModule("lnf", new LayerNorm(scope, config.width(), 1e-5));
        this.head = registerModule("head", new Linear(scope, generator, config.width(), config.vocabulary(), false));
    }

    /**
     * Computes next-token logits.
     *
     * @param ids I32 or I64 token ids {@code [batch, time]}, {@code time <= context}
     * @return logits {@code [batch, time, vocabulary]}
     */
    @Override
    protected Tensor compute(Tensor ids) {
        if (ids.rank() != 2 || ids.shape().dim(1) > context) {
            throw new ShapeMismatchException("gpt", ids.shape(), String.format(Locale.ROOT, "expected [batch, time] ids with time <= %d", context));
        }
        int time = ids.shape().dim(1);
        try (TensorScope local = TensorScope.localFor(ids)) {
            Tensor steps = local.arange(time, DType.I32);
            Tensor x = tokens.forward(ids).add(positions.forward(steps));
            for (TransformerBlock block : blocks) {
                x = block.forward(x);
            }
            return local.keep(head.forward(finalNorm.forward(x)));
        }
    }
}
