package dev.crossbar.benchmarks;

import dev.crossbar.api.DType;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.nn.Activation;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.nn.Linear;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.nn.Sequential;
import dev.crossbar.api.nn.TransformerBlock;
import dev.crossbar.api.sharding.Fsdp;
import dev.crossbar.api.sharding.FsdpOptions;
import dev.crossbar.api.sharding.MixedPrecision;
import dev.crossbar.runtime.Crossbar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Every Crossbar workload that compare.sh and the JMH benchmarks measure, by the name the peers use for the same
 * work (benchmarks/peers/*): matmul shapes, elementwise ops and reductions on 16M elements, the 4-element add, an
 * in-process all-reduce, and training steps of the char transformer and the MLP.
 */
final class Catalog {
    /** Elements of the elementwise and reduction inputs: 16M F32, 64 MiB per tensor. */
    static final int ELEMENTS = 1 << 24;
    /** Elements of the all-reduced vector: 4 MiB of F32. */
    static final int ALL_REDUCE_ELEMENTS = 1 << 20;
    /** Ranks of the collective and FSDP benchmarks, one virtual cpu device each. */
    static final int RANKS = 4;

    /** The char transformer: 65 symbols, 2 layers, d_model 128, 4 heads, sequences of 64, batch 32. */
    static final Gpt.Config TRANSFORMER = new Gpt.Config(65, 64, 2, 4, 128);
    static final int TRANSFORMER_BATCH = 32;
    static final double TRANSFORMER_LR = 3e-4;

    /** The MLP 784-256-10 with ReLU, batch 256. */
    static final int MLP_BATCH = 256;
    static final int MLP_INPUTS = 784;
    static final int MLP_HIDDEN = 256;
    static final int MLP_CLASSES = 10;
    static final double MLP_LR = 1e-3;

    private static final long SEED = 7;
    private static final Map<String, Function<Crossbar, Workload>> WORKLOADS = new LinkedHashMap<>();

    static {
        for (int n : new int[] {1024, 2048, 4096}) {
            WORKLOADS.put("mm_f32_" + n, crossbar -> new MatmulWorkload(crossbar, n, n, n, DType.F32));
        }
        WORKLOADS.put("mm_f32_4096x768x3072", crossbar -> new MatmulWorkload(crossbar, 4096, 768, 3072, DType.F32));
        WORKLOADS.put("mm_bf16_2048", crossbar -> new MatmulWorkload(crossbar, 2048, 2048, 2048, DType.BF16));
        for (ElementwiseWorkload.Kind kind : ElementwiseWorkload.Kind.values()) {
            WORKLOADS.put(kind.name().toLowerCase(Locale.ROOT) + "_16M", crossbar -> new ElementwiseWorkload(crossbar, kind, ELEMENTS));
        }
        WORKLOADS.put("add_4", DispatchWorkload::new);
        WORKLOADS.put("allreduce_4MB_4ranks", crossbar -> new SpmdSteps(RANKS, rank -> new AllReduceWorkload(rank, ALL_REDUCE_ELEMENTS)));
        WORKLOADS.put("train_transformer_f32", crossbar -> transformerStep(crossbar.newScope(), 0, TRANSFORMER_BATCH));
        WORKLOADS.put("train_transformer_bf16", crossbar -> new SpmdSteps(1, rank -> shardedTransformerStep(rank,
                new MixedPrecision(DType.BF16, DType.F32, DType.F32))));
        WORKLOADS.put("train_mlp_f32", crossbar -> mlpStep(crossbar.newScope()));
        WORKLOADS.put("fsdp_transformer_4dev", crossbar -> new SpmdSteps(RANKS, rank -> shardedTransformerStep(rank, null)));
    }

    private Catalog() {
    }

    /** The names of every workload, in the order compare.sh runs them. */
    static List<String> names() {
        return List.copyOf(WORKLOADS.keySet());
    }

    /**
     * Builds a workload.
     *
     * @param name one of {@link #names()}
     * @param crossbar the runtime single-device workloads run on; SPMD workloads start their own virtual devices
     * @return the workload, ready to run
     */
    static Workload create(String name, Crossbar crossbar) {
        Function<Crossbar, Workload> factory = WORKLOADS.get(name);
        if (factory == null) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "unknown benchmark '%s'; known: %s", name, names()));
        }
        return factory.apply(crossbar);
    }

    /**
     * The bytes one operation must read and write at least: for an elementwise op or reduction its F32 inputs and its
     * result unless it reduces; for the all-reduce every rank's input read once and result written once. 0 for the
     * other workloads.
     */
    static long bytesMoved(String name) {
        for (ElementwiseWorkload.Kind kind : ElementwiseWorkload.Kind.values()) {
            if (name.equals(kind.name().toLowerCase(Locale.ROOT) + "_16M")) {
                return ElementwiseWorkload.bytesMoved(kind, ELEMENTS);
            }
        }
        return name.equals("allreduce_4MB_4ranks") ? 2L * RANKS * ALL_REDUCE_ELEMENTS * Float.BYTES : 0;
    }

    /** The char transformer, initialized from the catalog's seed. */
    static Gpt newTransformer(TensorScope scope) {
        return new Gpt(scope, new Generator(SEED), TRANSFORMER);
    }

    /** A transformer step on rows {@code [from, to)} of the global batch, unsharded, on {@code scope}'s device. */
    private static TrainingStep transformerStep(TensorScope scope, int from, int to) {
        return transformerStep(scope, newTransformer(scope), from, to);
    }

    private static TrainingStep transformerStep(TensorScope scope, Module model, int from, int to) {
        int rows = to - from;
        int time = TRANSFORMER.context();
        long[] ids = new long[rows * time];
        long[] targets = new long[rows * time];
        long state = SEED;
        for (int b = 0; b < TRANSFORMER_BATCH; b++) {
            for (int t = 0; t <= time; t++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                long symbol = Math.floorMod(state >>> 33, TRANSFORMER.vocabulary());
                if (b >= from && b < to) {
                    if (t < time) {
                        ids[(b - from) * time + t] = symbol;
                    }
                    if (t > 0) {
                        targets[(b - from) * time + t - 1] = symbol;
                    }
                }
            }
        }
        return new TrainingStep(scope, model, scope.fromArray(ids, rows, time), scope.fromArray(targets, rows, time),
                TRANSFORMER.vocabulary(), TRANSFORMER_LR);
    }

    /**
     * A transformer step of one rank with FSDP: the rank's equal part of the global batch, each block and then the
     * root sharded over all ranks, gathered parameters kept from forward to backward (as the demo does).
     */
    private static TrainingStep shardedTransformerStep(RankContext rank, MixedPrecision mixedPrecision) {
        TensorScope scope = rank.scope().child();
        Gpt model = newTransformer(scope);
        DeviceMesh mesh = DeviceMesh.of(new int[] {rank.worldSize()}, "shard");
        FsdpOptions options = FsdpOptions.defaults().withReshardAfterForward(false);
        if (mixedPrecision != null) {
            options = options.withMixedPrecision(mixedPrecision);
        }
        for (Module child : model.children().values()) {
            if (child instanceof TransformerBlock) {
                Fsdp.fullyShard(child, rank, mesh, options);
            }
        }
        Fsdp.fullyShard(model, rank, mesh, options);
        int rows = TRANSFORMER_BATCH / rank.worldSize();
        return transformerStep(scope, model, rank.rank() * rows, (rank.rank() + 1) * rows);
    }

    private static TrainingStep mlpStep(TensorScope scope) {
        Generator generator = new Generator(SEED);
        Module model = new Sequential(new Linear(scope, generator, MLP_INPUTS, MLP_HIDDEN, true), Activation.relu(),
                new Linear(scope, generator, MLP_HIDDEN, MLP_CLASSES, true));
        Tensor inputs = scope.randNormal(Shape.of(MLP_BATCH, MLP_INPUTS), DType.F32, SEED, 0, 0, 1);
        long[] labels = new long[MLP_BATCH];
        for (int i = 0; i < MLP_BATCH; i++) {
            labels[i] = (i * 7L + 3) % MLP_CLASSES;
        }
        return new TrainingStep(scope, model, inputs, scope.fromArray(labels, MLP_BATCH), MLP_CLASSES, MLP_LR);
    }
}
