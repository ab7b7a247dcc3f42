package dev.crossbar.conformance;

import static dev.crossbar.conformance.TinyGptWorkload.BATCH;
import static dev.crossbar.conformance.TinyGptWorkload.CONFIG;
import static dev.crossbar.conformance.TinyGptWorkload.SEED;
import static dev.crossbar.conformance.TinyGptWorkload.adam;
import static dev.crossbar.conformance.TinyGptWorkload.batch;
import static dev.crossbar.conformance.TinyGptWorkload.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.checkpoint.Checkpoint;
import dev.crossbar.api.checkpoint.CheckpointException;
import dev.crossbar.api.checkpoint.CheckpointFormatException;
import dev.crossbar.api.checkpoint.CheckpointFormatException.Problem;
import dev.crossbar.api.checkpoint.CheckpointIndex;
import dev.crossbar.api.checkpoint.Safetensors;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.optim.AdamW;
import dev.crossbar.api.optim.Optimizer;
import dev.crossbar.api.sharding.Fsdp;
import dev.crossbar.api.sharding.FsdpModule;
import dev.crossbar.api.sharding.FsdpOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharded checkpoints on the backend under test: a tiny GPT trained under FSDP on four ranks saves its parameters and
 * AdamW state (one file per rank, unpadded rows, index last) and resumes on two ranks, on three, and unsharded on one
 * device. The next {@value #RESUMED_STEPS} losses must equal those of the uninterrupted four-rank run within
 * {@value #RESHARD_TOLERANCE} (FSDP on different world sizes sums gradients in different orders; {@link FsdpSuite}
 * holds them to the same bound), and exactly when the world size does not change. Missing and truncated rank files
 * fail with a typed error naming the file, and data files without an index are ignored.
 *
 * <p>A backend's test folder extends it and gives the backend at least four devices, as for {@link FsdpSuite}.
 */
public abstract class ShardedCheckpointSuite extends SpmdFixture {
    /** Largest difference allowed between the losses of a run resumed on another world size and the original run. */
    static final double RESHARD_TOLERANCE = 1e-5;
    static final int SAVED_AT = 3;
    static final int RESUMED_STEPS = 5;

    @TempDir
    Path tmp;


    // ---------------------------------------------------------------- training


    /** A model sharded on every rank: blocks first, then the root. {@code seed} differs from the saved run's in resumes. */
    private record Sharded(Gpt model, FsdpModule root, Optimizer optimizer) {
        static Sharded create(RankContext rank, long seed) {
            Gpt model = new Gpt(rank.scope(), new Generator(seed), CONFIG);
            DeviceMesh mesh = DeviceMesh.of(new int[] {rank.worldSize()}, "shard");
            model.children().forEach((name, child) -> {
                if (name.startsWith("block")) {
                    Fsdp.fullyShard(child, rank, mesh, FsdpOptions.defaults());
                }
            });
            FsdpModule root = Fsdp.fullyShard(model, rank, mesh, FsdpOptions.defaults());
            return new Sharded(model, root, adam(model));
        }
    }

    /** Steps {@code [from, to)} on this rank's rows of each global batch; the global mean loss of each step. */
    private static double[] train(RankContext rank, Sharded s, int from, int to) {
        int rows = BATCH / rank.worldSize();
        double[] losses = new double[to - from];
        for (int step = from; step < to; step++) {
            try (TensorScope stepScope = rank.scope().child()) {
                Tensor loss = loss(stepScope, s.model(), step, rank.rank() * rows, (rank.rank() + 1) * rows);
                loss.backward();
                s.optimizer().step();
                s.optimizer().zeroGrad();
                losses[step - from] = rank.world().allReduce(stepScope.scalar(loss.item(), DType.F64), ReduceOp.AVG).item();
            }
        }
        return losses;
    }

    /** Trains {@value #SAVED_AT} steps on {@code world} ranks, saves, trains on; the losses after the save. */
    private double[] trainAndSave(int world, Path dir) {
        List<double[]> losses = spmd(world, rank -> {
            Sharded s = Sharded.create(rank, SEED);
            train(rank, s, 0, SAVED_AT);
            Checkpoint.save(dir, s.root(), s.optimizer(), rank.world(), Map.of("step", Integer.toString(SAVED_AT)));
            return train(rank, s, SAVED_AT, SAVED_AT + RESUMED_STEPS);
        });
        return losses.getFirst();
    }

    /** Resumes from {@code dir} on {@code world} ranks, from a model built with another seed; the losses. */
    private double[] resume(int world, Path dir) {
        List<double[]> losses = spmd(world, rank -> {
            Sharded s = Sharded.create(rank, SEED + 1);
            CheckpointIndex index = Checkpoint.load(dir, s.root(), s.optimizer());
            assertEquals(Integer.toString(SAVED_AT), index.metadata().get("step"));
            assertEquals(SAVED_AT, s.optimizer().steps(), "the optimizer's step count is restored");
            return train(rank, s, SAVED_AT, SAVED_AT + RESUMED_STEPS);
        });
        for (double[] l : losses) {
            assertArrayEquals(losses.getFirst(), l, 0, "every rank sees the same global loss");
        }
        return losses.getFirst();
    }

    private static void assertClose(String what, double[] expected, double[] actual, double tolerance) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf(Locale.ROOT, "sharded checkpoint: %s: largest loss difference over %d steps %.3g (tolerance %.1g)%n", what, expected.length, worst, tolerance);
        for (int i = 0; i < expected.length; i++) {
            int step = SAVED_AT + i;
            double e = expected[i];
            double a = actual[i];
            assertTrue(Math.abs(e - a) <= tolerance, () -> String.format(Locale.ROOT,
                    "%s: loss of step %d: uninterrupted %.8f, resumed %.8f, tolerance %.1g", what, step, e, a, tolerance));
        }
    }

    // ---------------------------------------------------------------- resuming

    @Test
    public final void savedOnFourRanksResumesOnTwoRanksAndUnshardedWithTheSameLosses() {
        Path dir = tmp.resolve("four");
        double[] uninterrupted = trainAndSave(4, dir);
        assertEquals(4, Checkpoint.readIndex(dir).worldSize());

        assertClose("saved on 4, resumed on 2", uninterrupted, resume(2, dir), RESHARD_TOLERANCE);

        try (TensorScope scope = root().child()) {
            Gpt model = new Gpt(scope, new Generator(SEED + 1), CONFIG);
            Optimizer optimizer = adam(model);
            Checkpoint.load(dir, model, optimizer);
            double[] resumed = new double[RESUMED_STEPS];
            for (int i = 0; i < RESUMED_STEPS; i++) {
                try (TensorScope step = scope.child()) {
                    Tensor loss = loss(step, model, SAVED_AT + i, 0, BATCH);
                    loss.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    resumed[i] = loss.item();
                }
            }
            assertClose("saved on 4, resumed unsharded on 1", uninterrupted, resumed, RESHARD_TOLERANCE);
        }
    }

    @Test
    public final void resumingOnTheSameWorldSizeIsBitIdentical() {
        Path dir = tmp.resolve("two");
        double[] uninterrupted = trainAndSave(2, dir);
        assertArrayEquals(uninterrupted, resume(2, dir), 0, "saved on 2, resumed on 2");
    }

    @Test
    public final void everyWorldSizeLoadsExactlyTheSavedValues() {
        Path dir = tmp.resolve("values");
        trainAndSave(4, dir);
        Map<String, float[]> saved = new LinkedHashMap<>();
        try (TensorScope scope = root().child()) {
            Checkpoint.load(dir, scope).forEach((name, t) -> saved.put(name, t.toFloatArray()));
        }
        for (int world : new int[] {1, 2, 3, 4}) {
            List<Map<String, float[]>> loaded = spmd(world, rank -> {
                Sharded s = Sharded.create(rank, SEED + 1);
                Checkpoint.load(dir, s.root(), null);
                Map<String, float[]> values = new LinkedHashMap<>();
                try (TensorScope gather = rank.scope().child()) {
                    s.root().fullParameters().forEach((name, t) -> values.put(name, t.toFloatArray()));
                    // Padding rows stay zero, as fullyShard made them.
                    s.root().shardedStateDict().forEach((name, d) -> {
                        Tensor local = d.local();
                        int rows = d.globalShape().dim(0);
                        int chunk = local.shape().dim(0);
                        int real = Math.max(0, Math.min(chunk, rows - rank.rank() * chunk));
                        if (real < chunk) {
                            assertEquals(0.0, local.slice(0, real, chunk).abs().sum().item(), name + ": padding of rank " + rank.rank());
                        }
                    });
                }
                return values;
            });
            for (Map<String, float[]> values : loaded) {
                for (Map.Entry<String, float[]> e : values.entrySet()) {
                    assertArrayEquals(saved.get(e.getKey()), e.getValue(), "world " + world + ": " + e.getKey() + " bit for bit");
                }
                assertEquals(saved.keySet().stream().filter(n -> !n.startsWith(Checkpoint.OPTIMIZER_PREFIX)).collect(Collectors.toSet()), values.keySet());
            }
        }
    }

    // ---------------------------------------------------------------- layout

    @Test
    public final void eachRankWritesItsUnpaddedRowsAndRankZeroTheIndexLast() throws IOException {
        Path dir = tmp.resolve("layout");
        List<CheckpointIndex> indexes = spmd(4, rank -> {
            Sharded s = Sharded.create(rank, SEED);
            train(rank, s, 0, 1);
            Checkpoint.save(dir, s.root(), s.optimizer(), rank.world(), Map.of());
            return Checkpoint.save(dir, s.root(), s.optimizer(), rank.world(), Map.of("again", "yes"));
        });
        CheckpointIndex index = Checkpoint.readIndex(dir);
        for (CheckpointIndex i : indexes) {
            assertEquals(index, i, "every rank returns the index rank 0 wrote");
        }
        assertEquals(2, index.generation(), "the generation is agreed: one per save, not per rank");
        assertEquals(4, index.worldSize());
        List<String> files = index.files().stream().map(CheckpointIndex.FileEntry::name).toList();
        assertEquals(List.of("model-g000002-rank00000-of00004.safetensors", "model-g000002-rank00001-of00004.safetensors",
                "model-g000002-rank00002-of00004.safetensors", "model-g000002-rank00003-of00004.safetensors"), files);
        try (Stream<Path> list = Files.list(dir)) {
            Set<String> present = list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            Set<String> expected = new java.util.HashSet<>(files);
            expected.add(Checkpoint.INDEX_FILE);
            assertEquals(expected, present, "the first save's files are gone");
        }

        // tok.weight is [11, 12]: chunks of 3 rows on four ranks, the last holding 2 real rows and 1 of padding.
        CheckpointIndex.TensorEntry tok = index.tensors().get("tok.weight");
        assertEquals(Shape.of(11, 12), tok.shape());
        assertEquals(List.of(0, 3, 6, 9), tok.shards().stream().map(s -> s.offsets().getFirst()).toList());
        assertEquals(List.of(Shape.of(3, 12), Shape.of(3, 12), Shape.of(3, 12), Shape.of(2, 12)), tok.shards().stream().map(CheckpointIndex.Shard::shape).toList());
        assertEquals(List.of(0, 1, 2, 3), tok.shards().stream().map(CheckpointIndex.Shard::rank).toList());
        CheckpointIndex.TensorEntry moments = index.tensors().get(Checkpoint.OPTIMIZER_PREFIX + "tok.weight.exp_avg");
        assertEquals(tok.shards().stream().map(CheckpointIndex.Shard::shape).toList(), moments.shards().stream().map(CheckpointIndex.Shard::shape).toList(),
                "AdamW's moments are sharded like their parameter");
        CheckpointIndex.TensorEntry step = index.tensors().get(Checkpoint.OPTIMIZER_PREFIX + Optimizer.STEP_KEY);
        assertEquals(1, step.shards().size(), "a replicated tensor is written once");
        assertEquals(0, step.shards().getFirst().rank());

        // No padding on disk: the data sections hold exactly the global tensors' bytes.
        long stored = 0;
        for (String f : files) {
            stored += Safetensors.readHeader(dir.resolve(f)).dataLength();
        }
        long global = index.tensors().values().stream().mapToLong(t -> t.shape().size() * t.dtype().byteSize()).sum();
        assertEquals(global, stored, "the rank files together store every element once, without padding");
    }

    // ---------------------------------------------------------------- damaged checkpoints

    @Test
    public final void aMissingOrTruncatedRankFileFailsNamingTheFile() throws IOException {
        Path dir = tmp.resolve("damaged");
        spmd(4, rank -> {
            Sharded s = Sharded.create(rank, SEED);
            train(rank, s, 0, 1);
            return Checkpoint.save(dir, s.root(), s.optimizer(), rank.world(), Map.of());
        });
        CheckpointIndex index = Checkpoint.readIndex(dir);
        Path rank2 = dir.resolve(index.files().get(2).name());
        Path kept = tmp.resolve("rank2.kept");
        Files.move(rank2, kept);
        try (TensorScope scope = root().child()) {
            CheckpointException missing = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, scope));
            assertFalse(missing instanceof CheckpointFormatException, missing.getMessage());
            assertEquals(rank2, missing.file(), missing.getMessage());
            assertTrue(missing.getMessage().contains(rank2.getFileName().toString()) && missing.getMessage().contains("rank 2"), missing.getMessage());
            assertEquals(0, scope.size(), "a failed load leaves no tensors behind");
        }
        // Resharding onto two ranks: each rank checks every file before it reads, so both fail the same way.
        List<Path> named = spmd(2, rank -> {
            Sharded s = Sharded.create(rank, SEED + 1);
            return assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, s.root(), s.optimizer())).file();
        });
        assertEquals(List.of(rank2, rank2), named);

        Files.move(kept, rank2);
        Path rank1 = dir.resolve(index.files().get(1).name());
        try (FileChannel channel = FileChannel.open(rank1, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 5);
        }
        try (TensorScope scope = root().child()) {
            CheckpointFormatException truncated = assertThrows(CheckpointFormatException.class, () -> Checkpoint.load(dir, scope));
            assertEquals(Problem.TRUNCATED, truncated.problem(), truncated.getMessage());
            assertEquals(rank1, truncated.file());
            assertTrue(truncated.getMessage().contains(rank1.getFileName().toString()), truncated.getMessage());
        }
        List<Problem> problems = spmd(2, rank -> {
            Sharded s = Sharded.create(rank, SEED + 1);
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.load(dir, s.root(), null));
            assertEquals(rank1, e.file());
            return e.problem();
        });
        assertEquals(List.of(Problem.TRUNCATED, Problem.TRUNCATED), problems);
    }

    @Test
    public final void rankFilesWithoutAnIndexAreIgnoredAndRemovedByTheNextSave() throws IOException {
        // A save killed after the ranks wrote their files but before rank 0 wrote the index leaves files of the next
        // generation and the previous index: the checkpoint is the previous one.
        Path dir = tmp.resolve("interrupted");
        Path other = tmp.resolve("other");
        spmd(2, rank -> {
            Sharded s = Sharded.create(rank, SEED);
            Checkpoint.save(dir, s.root(), rank.world(), Map.of("which", "complete"));
            train(rank, s, 0, 1);
            return Checkpoint.save(other, s.root(), rank.world(), Map.of("which", "interrupted"));
        });
        List<String> strays = new ArrayList<>();
        for (CheckpointIndex.FileEntry f : Checkpoint.readIndex(other).files()) {
            String name = f.name().replace("-g000001-", "-g000002-");
            Files.copy(other.resolve(f.name()), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            strays.add(name);
        }
        Map<String, float[]> expected = new LinkedHashMap<>();
        try (TensorScope scope = root().child()) {
            Gpt fresh = new Gpt(scope, new Generator(SEED), CONFIG);
            fresh.namedParameters().forEach((name, p) -> expected.put(name, p.value().toFloatArray()));
            assertEquals("complete", Checkpoint.readIndex(dir).metadata().get("which"));
            Checkpoint.load(dir, scope).forEach((name, t) -> assertArrayEquals(expected.get(name), t.toFloatArray(), name + " of the complete save"));
        }
        spmd(2, rank -> {
            Sharded s = Sharded.create(rank, SEED + 1);
            Checkpoint.load(dir, s.root(), null);
            try (TensorScope gather = rank.scope().child()) {
                s.root().fullParameters().forEach((name, t) -> assertArrayEquals(expected.get(name), t.toFloatArray(), name));
            }
            CheckpointIndex next = Checkpoint.save(dir, s.root(), rank.world(), Map.of("which", "next"));
            assertEquals(3, next.generation(), "the next save skips the generation the strays use");
            return null;
        });
        for (String stray : strays) {
            assertFalse(Files.exists(dir.resolve(stray)), stray + " is removed by the next save");
        }
    }
}
