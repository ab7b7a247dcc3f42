package dev.crossbar.conformance;

import dev.crossbar.api.Functional;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.optim.AdamW;
import dev.crossbar.api.optim.Optimizer;
import dev.crossbar.api.sharding.Fsdp;
import dev.crossbar.api.sharding.FsdpOptions;
import dev.crossbar.spi.Backend;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The small GPT and its deterministic next-token data that the sharding suites train, and that lazy backends train
 * against the cpu backend: vocabulary 11, context 7, width 12, so every world size up to 4 needs padding.
 */
public final class TinyGptWorkload {
    /** The model: vocabulary 11, context 7, 2 layers, 2 heads, width 12. */
    public static final Gpt.Config CONFIG = new Gpt.Config(11, 7, 2, 2, 12);
    /** Rows per step. */
    public static final int BATCH = 4;
    /** Tokens per row fed to the model. */
    public static final int TIME = 7;
    /** The seed of the model's initialization. */
    public static final long SEED = 17;
    /** AdamW's learning rate. */
    public static final double LR = 3e-3;

    private TinyGptWorkload() {
    }

    /** Token ids of step {@code step}: {@code [BATCH, TIME + 1]}, deterministic. */
    static long[][] batch(int step) {
        long[][] rows = new long[BATCH][TIME + 1];
        long state = 1234567L + step * 7919L;
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t <= TIME; t++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                rows[b][t] = Math.floorMod(state >>> 33, CONFIG.vocabulary());
            }
        }
        return rows;
    }

    /**
     * Returns the mean next-token loss of rows {@code [from, to)} of the step's batch.
     *
     * @param scope where the batch and the loss are created
     * @param model a model built with {@link #CONFIG}
     * @param step the step, which selects the batch
     * @param from first row
     * @param to end row, exclusive
     * @return the loss, a scalar
     */
    public static Tensor loss(TensorScope scope, Module model, int step, int from, int to) {
        long[][] rows = batch(step);
        int n = to - from;
        long[] ids = new long[n * TIME];
        long[] targets = new long[n * TIME];
        for (int b = 0; b < n; b++) {
            for (int t = 0; t < TIME; t++) {
                ids[b * TIME + t] = rows[from + b][t];
                targets[b * TIME + t] = rows[from + b][t + 1];
            }
        }
        Tensor logits = model.forward(scope.fromArray(ids, n, TIME));
        return Functional.crossEntropy(logits.reshape(n * TIME, CONFIG.vocabulary()), scope.fromArray(targets, n * TIME), -100, 0);
    }

    /**
     * Returns the optimizer of the workload.
     *
     * @param model the model
     * @return AdamW with {@link #LR}, betas 0.9 and 0.999, weight decay 0.01
     */
    public static Optimizer adam(Module model) {
        return new AdamW(model.parameters(), LR, 0.9, 0.999, 1e-8, 0.01);
    }

    /**
     * The losses of a single-device training run and a counter read after each step.
     *
     * @param losses the loss of each step, before that step's update
     * @param countAfterStep the counter (such as a lazy engine's compilations) read after each step
     */
    public record TrainingRun(double[] losses, long[] countAfterStep) {
    }

    /**
     * Trains a model built from {@link #SEED} with {@link #adam} under FSDP on the first devices of a backend, one rank
     * per device of the mesh in this JVM: the blocks and then the whole model are sharded over the mesh (1-D: FSDP; 2-D
     * replicate x shard: HSDP), and each rank takes its rows of every step's batch ({@link #BATCH} must divide by the
     * mesh's size). The loss of a step is the ranks' average, as every rank sees it.
     *
     * @param backend the backend, with at least as many devices as the mesh has ranks
     * @param mesh the ranks and how parameters are sharded over them
     * @param steps how many steps
     * @param counter read by rank 0 after each step, such as a lazy engine's compilations; on a lazy backend every rank's
     *     programs of the step ran (and compiled) before it, since the averaged loss is an SPMD program of all ranks
     * @return the losses and the counter after each step
     */
    public static TrainingRun trainFsdp(Backend backend, DeviceMesh mesh, int steps, LongSupplier counter) {
        int world = mesh.size();
        List<TrainingRun> runs = InProcessSpmd.call(backend, world, SpmdOptions.defaults(), rank -> {
            Gpt model = new Gpt(rank.scope(), new Generator(SEED), CONFIG);
            model.children().forEach((name, child) -> {
                if (name.startsWith("block")) {
                    Fsdp.fullyShard(child, rank, mesh, FsdpOptions.defaults());
                }
            });
            Fsdp.fullyShard(model, rank, mesh, FsdpOptions.defaults());
            Optimizer optimizer = adam(model);
            int rows = BATCH / world;
            double[] losses = new double[steps];
            long[] counts = new long[steps];
            for (int step = 0; step < steps; step++) {
                try (TensorScope scope = rank.scope().child()) {
                    Tensor loss = loss(scope, model, step, rank.rank() * rows, (rank.rank() + 1) * rows);
                    loss.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    losses[step] = rank.world().allReduce(loss.detach(), ReduceOp.AVG).item();
                }
                // Reading the loss ran the step's last program on every rank, so every program of the step is compiled.
                counts[step] = rank.rank() == 0 ? counter.getAsLong() : 0;
            }
            return new TrainingRun(losses, counts);
        });
        return runs.getFirst();
    }

    /**
     * Trains a model built from {@link #SEED} with {@link #adam} on the full batch of each step, on the first device
     * of a backend.
     *
     * @param backend the backend
     * @param steps how many steps
     * @param counter read after each step, such as a lazy engine's compilation count
     * @return the losses and the counter after each step
     */
    public static TrainingRun train(Backend backend, int steps, LongSupplier counter) {
        double[] losses = new double[steps];
        long[] counts = new long[steps];
        try (TensorScope root = TensorScope.root(backend, backend.devices().getFirst())) {
            Gpt model = new Gpt(root, new Generator(SEED), CONFIG);
            Optimizer optimizer = adam(model);
            for (int step = 0; step < steps; step++) {
                try (TensorScope scope = root.child()) {
                    Tensor loss = loss(scope, model, step, 0, BATCH);
                    loss.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    losses[step] = loss.item();
                }
                counts[step] = counter.getAsLong();
            }
        }
        return new TrainingRun(losses, counts);
    }
}
