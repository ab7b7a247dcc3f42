package dev.crossbar.examples.fsdpdemo;

import dev.crossbar.api.Device;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Grad;
import dev.crossbar.api.MemoryAccounting;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.checkpoint.Checkpoint;
import dev.crossbar.api.checkpoint.CheckpointIndex;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.nn.Parameter;
import dev.crossbar.api.nn.TransformerBlock;
import dev.crossbar.api.optim.AdamW;
import dev.crossbar.api.optim.CosineSchedule;
import dev.crossbar.api.sharding.Fsdp;
import dev.crossbar.api.sharding.FsdpModule;
import dev.crossbar.api.sharding.FsdpOptions;
import dev.crossbar.examples.tinygpt.AdditionProblems;
import dev.crossbar.examples.tinygpt.AdditionTrainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What one rank of the demo runs: the tiny GPT, sharded with FSDP bottom-up (each transformer block, then the root),
 * trained with AdamW on the local shards, each rank on its slice of the global batch; then the full state gathered
 * for a checkpoint, and on rank 0 the held-out evaluation of the model loaded back from that checkpoint.
 */
final class FsdpTraining {
    private static final double CLIP_NORM = 1.0;
    private static final String SHARD_AXIS = "shard";

    /**
     * What to train and how.
     *
     * @param steps optimizer steps
     * @param seed seeds the problems, their split and the initialization (the same on every rank)
     * @param batch problems per step over all ranks; each rank takes {@code batch / ranks}
     * @param width model width
     * @param layers transformer blocks, each one FSDP unit
     * @param heads attention heads per block
     * @param learningRate the peak of the cosine schedule
     * @param warmupSteps steps of linear warmup
     * @param heldOut held-out problems, never trained on
     * @param reshardAfterForward whether the blocks free their gathered parameters after forward (and gather and
     *     recompute in backward)
     * @param checkpointDir where the ranks save the sharded state
     * @param checkpointEvery also save every this many steps during training (a crash then loses at most that many),
     *     or 0 to save only at the end
     */
    record Settings(int steps, long seed, int batch, int width, int layers, int heads, double learningRate, int warmupSteps, int heldOut,
            boolean reshardAfterForward, Path checkpointDir, int checkpointEvery) {
        Settings {
            if (steps < 1 || batch < 1 || layers < 1 || heads < 1 || width % heads != 0 || warmupSteps < 0 || warmupSteps > steps || heldOut < 1
                    || checkpointEvery < 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "need steps, batch, layers, heads and held-out >= 1, 0 <= warmup <= steps, checkpoint-every >= 0 and a width divisible by"
                                + " the heads; got steps %d, batch %d, layers %d, heads %d, width %d, warmup %d, held-out %d, checkpoint-every %d",
                        steps, batch, layers, heads, width, warmupSteps, heldOut, checkpointEvery));
            }
        }

        Gpt.Config modelConfig() {
            return new Gpt.Config(AdditionProblems.VOCABULARY, AdditionProblems.CONTEXT, layers, heads, width);
        }

        int tokensPerStep() {
            return batch * AdditionProblems.CONTEXT;
        }
    }

    /**
     * What one rank reports.
     *
     * @param rank the rank
     * @param device its device
     * @param shardBytes bytes on the device right after sharding: this rank's parameter shards
     * @param trainedBytes bytes on the device after the first optimizer step: shards, their gradients and AdamW's moments
     * @param collectivesPerStep the collectives of the last training step, by operation
     * @param checkpointCollectives the collectives of the sharded checkpoint save
     * @param losses the global loss of every step (the mean over all ranks' rows)
     * @param trainingTime wall time of the training loop
     * @param units the FSDP units, in the order they were sharded
     * @param parameterCount the model's parameters, unsharded
     * @param checkpoint the saved checkpoint's index, the same on every rank
     * @param evaluationLog the evaluation's example lines (rank 0), or empty
     * @param accuracy the held-out exact-match fraction (rank 0), or NaN
     */
    record RankReport(int rank, Device device, long shardBytes, long trainedBytes, Map<String, CollectiveCounts.Count> collectivesPerStep,
            Map<String, CollectiveCounts.Count> checkpointCollectives, double[] losses, Duration trainingTime, List<String> units,
            long parameterCount, CheckpointIndex checkpoint, String evaluationLog, double accuracy) {
    }

    private FsdpTraining() {
    }

    /**
     * Runs one rank. Every rank of the run calls it with the same settings.
     *
     * @param context the rank's context from the SPMD launcher
     * @param settings what to train
     * @param out where rank 0 draws its progress bar
     * @param interactive whether {@code out} is a terminal (the bar redraws in place) or a log (a line every few seconds)
     * @return the rank's report
     */
    static RankReport run(RankContext context, Settings settings, PrintStream out, boolean interactive) {
        int world = context.worldSize();
        if (settings.batch() % world != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the global batch (%d) must split evenly over the %d ranks; use --batch %d", settings.batch(), world, Math.max(world, settings.batch() / world * world)));
        }
        CollectiveCounts collectives = new CollectiveCounts();
        RankContext rank = RankContext.observed(context, collectives);
        DeviceMesh mesh = DeviceMesh.of(new int[] {world}, SHARD_AXIS);
        ProcessGroup everyone = rank.world();
        Device device = rank.device();

        long before = bytesOn(device);
        // The same seed on every rank: the ranks build the same model, and each keeps its shard of it.
        Gpt model = new Gpt(rank.scope(), new Generator(settings.seed()), settings.modelConfig());
        long parameterCount = model.parameterCount();
        FsdpOptions options = FsdpOptions.defaults().withReshardAfterForward(settings.reshardAfterForward());
        List<String> units = new ArrayList<>();
        model.children().forEach((name, child) -> {
            if (child instanceof TransformerBlock) {
                Fsdp.fullyShard(child, rank, mesh, options);
                units.add(name);
            }
        });
        FsdpModule root = Fsdp.fullyShard(model, rank, mesh, options);
        units.add("root");
        long shardBytes = bytesOn(device) - before;

        AdamW optimizer = new AdamW(model.parameters(), settings.learningRate(), 0.9, 0.98, 1e-8, 0.01);
        CosineSchedule schedule = new CosineSchedule(settings.learningRate(), settings.learningRate() / 10, settings.warmupSteps(), settings.steps());
        AdditionProblems problems = new AdditionProblems(settings.seed(), settings.heldOut());
        int rows = settings.batch() / world;
        double[] losses = new double[settings.steps()];
        long trainedBytes = 0;
        Map<String, CollectiveCounts.Count> perStep = Map.of();
        long start = System.nanoTime();
        try (ProgressBar bar = rank.rank() == 0 ? progressBar(settings, out, interactive) : null) {
            for (int step = 0; step < settings.steps(); step++) {
                optimizer.learningRate(schedule.rate(step));
                // Every rank draws the same global batch from the same stream and trains on its own rows of it.
                AdditionProblems.Batch mine = problems.trainingBatch(settings.batch()).rows(rank.rank() * rows, (rank.rank() + 1) * rows);
                collectives.takeCounts();
                try (TensorScope stepScope = rank.scope().child()) {
                    Tensor loss = AdditionTrainer.loss(model, stepScope, mine);
                    loss.backward();
                    // One all-reduce carries the loss for the log and the squared gradient norm for clipping: the shards
                    // partition the parameters, so their squared norms add up to the whole model's.
                    double[] sums = everyone.allReduce(stepScope.fromArray(new double[] {loss.item(), squaredNorm(model.parameters())}, 2), ReduceOp.SUM)
                            .toDoubleArray();
                    losses[step] = sums[0] / world;
                    clip(model.parameters(), Math.sqrt(sums[1]));
                    optimizer.step();
                }
                perStep = collectives.takeCounts();
                if (step == 0) {
                    everyone.barrier();
                    trainedBytes = bytesOn(device) - before;
                    everyone.barrier();
                }
                optimizer.zeroGrad();
                if (settings.checkpointEvery() > 0 && (step + 1) % settings.checkpointEvery() == 0 && step + 1 < settings.steps()) {
                    try (TensorScope saving = rank.scope().child()) {
                        Checkpoint.save(settings.checkpointDir(), root, optimizer, everyone, metadata(settings, step + 1, losses[step], world));
                    }
                }
                if (bar != null) {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    bar.step();
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f  %,.0f tokens/s", losses[step], (step + 1) * (double) settings.tokensPerStep() / seconds));
                }
            }
        }
        Duration trainingTime = Duration.ofNanos(System.nanoTime() - start);

        // Every rank writes its own shards of the parameters and of AdamW's moments (one file per rank, no padding);
        // rank 0 writes the index. No rank ever holds the whole state.
        CheckpointIndex index;
        try (TensorScope saving = rank.scope().child()) {
            index = Checkpoint.save(settings.checkpointDir(), root, optimizer, everyone, metadata(settings, settings.steps(), losses[settings.steps() - 1], world));
        }
        Map<String, CollectiveCounts.Count> checkpointCollectives = collectives.takeCounts();

        String evaluationLog = "";
        double accuracy = Double.NaN;
        if (rank.rank() == 0) {
            // The held-out problems are answered by the model as the checkpoint stores it, so the checkpoint is proven too.
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (TensorScope evaluation = rank.scope().child(); PrintStream printer = new PrintStream(log, true, StandardCharsets.UTF_8)) {
                // Checkpoint.load assembles the ranks' shards into the whole tensors of an unsharded model.
                Gpt restored = new Gpt(evaluation, new Generator(settings.seed() + 1), settings.modelConfig());
                Checkpoint.load(settings.checkpointDir(), restored, null);
                accuracy = AdditionTrainer.evaluate(restored, evaluation, problems.heldOutProblems(), printer);
            }
            evaluationLog = log.toString(StandardCharsets.UTF_8);
        }
        return new RankReport(rank.rank(), device, shardBytes, trainedBytes, perStep, checkpointCollectives, losses, trainingTime, units, parameterCount, index,
                evaluationLog, accuracy);
    }

    private static Map<String, String> metadata(Settings settings, int step, double loss, int world) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("model", String.format(Locale.ROOT, "Gpt(vocabulary %d, context %d, layers %d, heads %d, width %d)",
                AdditionProblems.VOCABULARY, AdditionProblems.CONTEXT, settings.layers(), settings.heads(), settings.width()));
        metadata.put("step", Integer.toString(step));
        metadata.put("loss", Double.toString(loss));
        metadata.put("seed", Long.toString(settings.seed()));
        metadata.put("trained_on", world + " ranks with FSDP");
        return metadata;
    }

    private static ProgressBar progressBar(Settings settings, PrintStream out, boolean interactive) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName("step").setInitialMax(settings.steps()).setStyle(ProgressBarStyle.ASCII);
        if (interactive) {
            builder.setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(250);
        } else {
            // A log gets a line every 15 seconds and the last state, instead of carriage returns; closing the bar renders
            // the last state twice.
            String[] previous = {""};
            builder.setConsumer(new DelegatingProgressBarConsumer(line -> {
                if (!line.equals(previous[0])) {
                    out.println(line);
                    previous[0] = line;
                }
            }, 110)).setUpdateIntervalMillis(15_000);
        }
        return builder.build();
    }

    private static double squaredNorm(List<Parameter> parameters) {
        double sum = 0;
        try (Grad.Scope off = Grad.noGrad()) {
            for (Parameter p : parameters) {
                if (p.grad().isPresent()) {
                    Tensor g = p.grad().get();
                    try (TensorScope local = TensorScope.localFor(g)) {
                        sum += g.mul(g).sum().item();
                    }
                }
            }
        }
        return sum;
    }

    /** Scales the local gradient shards by {@code CLIP_NORM / norm} when the whole model's norm exceeds it. */
    private static void clip(List<Parameter> parameters, double norm) {
        double scale = CLIP_NORM / (norm + 1e-6);
        if (scale >= 1) {
            return;
        }
        try (Grad.Scope off = Grad.noGrad()) {
            for (Parameter p : parameters) {
                if (p.grad().isPresent()) {
                    Tensor g = p.grad().get();
                    try (TensorScope local = TensorScope.localFor(g)) {
                        g.assign(g.mul(scale));
                    }
                }
            }
        }
    }

    private static long bytesOn(Device device) {
        return MemoryAccounting.snapshot().bytesByDevice().getOrDefault(device, 0L);
    }
}
