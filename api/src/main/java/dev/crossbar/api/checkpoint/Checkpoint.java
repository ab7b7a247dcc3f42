package dev.crossbar.api.checkpoint;

import dev.crossbar.api.DType;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.checkpoint.CheckpointFormatException.Problem;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.nn.Parameter;
import dev.crossbar.api.optim.Optimizer;
import dev.crossbar.api.sharding.DTensor;
import dev.crossbar.api.sharding.FsdpModule;
import dev.crossbar.api.sharding.Placement;
import dev.crossbar.api.sharding.Replicate;
import dev.crossbar.api.sharding.Shard;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves and loads the state of a model as a checkpoint directory: safetensors data files, one per rank that saved,
 * plus an index, {@value #INDEX_FILE} (see {@link CheckpointIndex}), in the layout of Hugging Face's sharded
 * checkpoints.
 *
 * <pre>{@code
 * Checkpoint.save(dir, model.stateDict(), Map.of("step", "1000"));           // one process
 * try (TensorScope s = root.child()) {
 *     model.loadStateDict(Checkpoint.load(dir, s));
 * }
 *
 * Checkpoint.save(dir, fsdpRoot, adamW, rank.world(), Map.of("step", "1000")); // every rank of an FSDP run
 * Checkpoint.load(dir, fsdpRoot, adamW);                                       // on any number of ranks
 * }</pre>
 *
 * <p><b>Sharded checkpoints.</b> {@link #saveSharded} and the FSDP {@link #save(Path, FsdpModule, Optimizer,
 * ProcessGroup, Map)} write one file per rank of the saving group, {@code model-g<generation>-rank<r>-of<n>.safetensors},
 * holding the rows of dim 0 that rank owns, without the padding of FSDP's equal chunks; the index records each part's
 * offsets and shape. Replicated tensors are written once. {@link #loadSharded} and {@link #load(Path, FsdpModule,
 * Optimizer)} read, on each rank of any world size, only the rows its own padded chunk covers, and {@link #load(Path,
 * TensorScope)} assembles whole tensors, so a checkpoint saved by {@code n} ranks loads onto {@code m} ranks or into
 * an unsharded model. A single-process {@link #save(Path, Map, Map)} is the same save with world size 1.
 *
 * <p><b>Crash safety.</b> A save never destroys the previous checkpoint. Every rank writes its data file under a new
 * name (it carries the save's generation number, which rank 0 chooses and broadcasts), atomically and forced to disk;
 * after every rank has finished, rank 0 replaces the index atomically, and only then deletes the previous generation's
 * files. A crash before the index is replaced leaves the previous checkpoint, whose index and files are untouched; a
 * crash after leaves the new one. A checkpoint is complete exactly when its index is in place: data files the index
 * does not list are ignored by loads and removed by the next save. One job at a time may save into a directory.
 */
public final class Checkpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

    /** The index file's name, as Hugging Face names the index of a sharded safetensors checkpoint. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    /** The prefix of the optimizer's state in checkpoints that hold one, before its {@link Optimizer#stateDict} keys. */
    public static final String OPTIMIZER_PREFIX = "optimizer.";

    private static final String OPTIMIZER_STEP = OPTIMIZER_PREFIX + Optimizer.STEP_KEY;

    private static final Pattern DATA_FILE = Pattern.compile("model-g(\\d{6,})-rank(\\d{5,})-of(\\d{5,})\\.safetensors");

    private Checkpoint() {
    }

    // ---------------------------------------------------------------- saving

    /**
     * Saves tensors as a checkpoint of world size 1, replacing any checkpoint in {@code dir} only once the new one is
     * complete.
     *
     * <p>The data file's {@code "__metadata__"} holds {@code metadata} plus {@code "format": "pt"} (unless given), which
     * Hugging Face's loaders expect of a PyTorch-layout file.
     *
     * @param dir the checkpoint directory, created if missing
     * @param state tensors by name, in the order to store them; open, on any device
     * @param metadata strings stored in the index and the data file, such as the training step
     * @return the index of the new checkpoint
     * @throws CheckpointException if writing fails; the previous checkpoint is then still intact
     */
    public static CheckpointIndex save(Path dir, Map<String, Tensor> state, Map<String, String> metadata) {
        Objects.requireNonNull(dir, "dir is null");
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(metadata, "metadata is null");
        Map<String, Layout> layout = new LinkedHashMap<>();
        state.forEach((name, t) -> layout.put(name, Layout.whole(Objects.requireNonNull(t, () -> "tensor '" + name + "' is null"), 0)));
        return write(dir, null, state, layout, metadata);
    }

    /**
     * Saves distributed tensors as a sharded checkpoint; every rank of {@code group} calls it with the same names,
     * global shapes and placements. Each rank writes one file with the unpadded rows of dim 0 it holds (for a tensor
     * replicated on a mesh axis, only the ranks at coordinate 0 of that axis write); after a barrier rank 0 writes the
     * index. Ranks that hold no rows still write a file, so every rank of the saving group has one.
     *
     * @param dir the checkpoint directory, created if missing; the same directory on every rank (a shared file system
     *     when ranks run on several hosts)
     * @param group the saving ranks, holding every rank of every tensor's mesh; usually {@code rank.world()}. Its rank
     *     is the rank in the file names; its collectives agree on the generation and on success
     * @param state distributed tensors by name, each placed {@link Placement#replicate()} or {@code Shard(0)} on every
     *     mesh axis (FSDP's layout)
     * @param metadata strings stored in the index and every data file
     * @return the index of the new checkpoint, the same on every rank
     * @throws CheckpointException on every rank if any rank fails to write; the previous checkpoint is then intact
     * @throws IllegalArgumentException if a placement shards a dimension other than 0 or is partial, or a mesh has a
     *     rank outside the group
     * @throws IllegalStateException if no scope is open on the calling thread (the collectives need one)
     */
    public static CheckpointIndex saveSharded(Path dir, ProcessGroup group, Map<String, DTensor> state, Map<String, String> metadata) {
        Objects.requireNonNull(dir, "dir is null");
        Objects.requireNonNull(group, "group is null");
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(metadata, "metadata is null");
        try (TensorScope views = currentScope("Checkpoint.saveSharded").child(); Grad.Scope off = Grad.noGrad()) {
            Map<String, Layout> layout = new LinkedHashMap<>();
            Map<String, Tensor> local = new LinkedHashMap<>();
            state.forEach((name, d) -> addSharded(name, Objects.requireNonNull(d, () -> "tensor '" + name + "' is null"), group, layout, local));
            return write(dir, group, local, layout, metadata);
        }
    }

    /**
     * Saves the parameters of a fully sharded model as a sharded checkpoint: {@link FsdpModule#shardedStateDict()}
     * under the parameters' own names. Every rank of the model's mesh calls it.
     *
     * @param dir the checkpoint directory
     * @param module the root unit of the model
     * @param group the saving ranks, usually {@code rank.world()}
     * @param metadata strings stored in the index and every data file
     * @return the index of the new checkpoint
     * @throws CheckpointException on every rank if any rank fails to write
     */
    public static CheckpointIndex save(Path dir, FsdpModule module, ProcessGroup group, Map<String, String> metadata) {
        return save(dir, module, null, group, metadata);
    }

    /**
     * Saves the parameters of a fully sharded model and its optimizer's state as a sharded checkpoint. The optimizer's
     * state tensors (AdamW's moments) have the shape of the parameters' shards, so they are saved sharded like them,
     * under {@value #OPTIMIZER_PREFIX}{@code <parameter>.<state>} ({@link Optimizer#stateDict}); its step count is
     * written once, by rank 0 of the group, as {@value #OPTIMIZER_PREFIX}{@value Optimizer#STEP_KEY}. Every rank of the
     * model's mesh calls it.
     *
     * @param dir the checkpoint directory
     * @param module the root unit of the model
     * @param optimizer the optimizer built over the sharded model, or null to save the model only
     * @param group the saving ranks, usually {@code rank.world()}
     * @param metadata strings stored in the index and every data file
     * @return the index of the new checkpoint
     * @throws CheckpointException on every rank if any rank fails to write
     */
    public static CheckpointIndex save(Path dir, FsdpModule module, Optimizer optimizer, ProcessGroup group, Map<String, String> metadata) {
        Objects.requireNonNull(dir, "dir is null");
        Objects.requireNonNull(module, "module is null");
        Objects.requireNonNull(group, "group is null");
        Objects.requireNonNull(metadata, "metadata is null");
        try (TensorScope views = currentScope("Checkpoint.save").child(); Grad.Scope off = Grad.noGrad()) {
            Map<String, DTensor> parameters = module.shardedStateDict();
            Map<String, Layout> layout = new LinkedHashMap<>();
            Map<String, Tensor> local = new LinkedHashMap<>();
            parameters.forEach((name, d) -> addSharded(name, d, group, layout, local));
            if (optimizer != null) {
                Map<String, Tensor> state = optimizer.stateDict(module.module().namedParameters());
                parameters.forEach((name, d) -> {
                    for (String slot : optimizer.stateNames()) {
                        Tensor t = state.get(name + "." + slot);
                        if (t != null) {
                            addSharded(OPTIMIZER_PREFIX + name + "." + slot, d.withLocal(t), group, layout, local);
                        }
                    }
                });
                String step = OPTIMIZER_PREFIX + Optimizer.STEP_KEY;
                layout.put(step, Layout.whole(state.get(Optimizer.STEP_KEY), 0));
                if (group.rank() == 0) {
                    local.put(step, state.get(Optimizer.STEP_KEY));
                }
            }
            return write(dir, group, local, layout, metadata);
        }
    }

    /** Adds the layout of a distributed tensor and, when this rank stores rows of it, those rows as a view. */
    private static void addSharded(String name, DTensor d, ProcessGroup group, Map<String, Layout> layout, Map<String, Tensor> local) {
        List<Integer> ranks = group.ranks();
        DeviceMesh mesh = d.mesh();
        for (int r : mesh.ranks()) {
            if (!ranks.contains(r)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "tensor '%s' lives on mesh %s, whose rank %d is not in the saving group %s; save with a group that holds every rank of the mesh, such as rank.world()",
                        name, mesh, r, ranks));
            }
        }
        List<RowShard> shards = new ArrayList<>();
        for (int g = 0; g < ranks.size(); g++) {
            int global = ranks.get(g);
            if (!mesh.contains(global)) {
                continue;
            }
            int[] coordinate = mesh.coordinate(global);
            RowWindow w = RowWindow.of(name, d.globalShape(), mesh, d.placements(), coordinate);
            if (w.to() > w.from() && firstReplica(d.placements(), coordinate)) {
                shards.add(new RowShard(g, w.from(), w.to()));
            }
        }
        if (shards.isEmpty()) {
            // No rows at all (dim 0 is 0): the mesh's first rank stores the empty tensor, so it still has a shard.
            shards.add(new RowShard(ranks.indexOf(mesh.ranks().getFirst()), 0, 0));
        }
        layout.put(name, new Layout(d.local().dtype(), d.globalShape(), shards));
        for (RowShard s : shards) {
            if (s.rank() == group.rank()) {
                RowWindow mine = RowWindow.of(name, d.globalShape(), mesh, d.placements(), d.coordinate());
                local.put(name, d.globalShape().rank() == 0 ? d.local() : d.local().slice(0, s.from() - mine.start(), s.to() - mine.start()));
            }
        }
    }

    private static boolean firstReplica(List<Placement> placements, int[] coordinate) {
        for (int a = 0; a < placements.size(); a++) {
            if (placements.get(a) instanceof Replicate && coordinate[a] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes one generation: rank 0 picks the generation, every rank writes its data file, all ranks exchange their
     * files' sizes (which is the barrier before the index and tells every rank whether all succeeded), rank 0 writes
     * the index and removes older files, and broadcasts whether it did. {@code group} is null for a single process.
     */
    private static CheckpointIndex write(Path dir, ProcessGroup group, Map<String, Tensor> local, Map<String, Layout> layout, Map<String, String> metadata) {
        int rank = group == null ? 0 : group.rank();
        int worldSize = group == null ? 1 : group.size();
        RuntimeException failure = null;

        long generation = -1;
        if (rank == 0) {
            try {
                Files.createDirectories(dir);
                generation = latestGeneration(dir) + 1;
            } catch (IOException e) {
                failure = new CheckpointException(dir, "cannot save checkpoint: " + e.getMessage() + "; the previous checkpoint, if any, is intact", e);
            }
        }
        if (group != null) {
            generation = broadcastLong(group, generation);
        }
        if (generation < 0) {
            throw failure != null ? failure : new CheckpointException(dir, "cannot save checkpoint: rank 0 could not prepare the directory (see its error)");
        }

        String fileName = dataFileName(generation, rank, worldSize);
        Path dataFile = dir.resolve(fileName);
        Map<String, String> fileMetadata = new LinkedHashMap<>();
        fileMetadata.put("format", "pt");
        fileMetadata.putAll(metadata);
        long bytes = -1;
        try {
            Safetensors.write(dataFile, local, fileMetadata);
            bytes = Files.size(dataFile);
        } catch (IOException e) {
            failure = new CheckpointException(dataFile, "cannot save checkpoint: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Reported after the exchange below, so the other ranks learn of it instead of waiting for this one.
            failure = e;
        }
        long[] sizes = group == null ? new long[] {bytes} : allGatherLong(group, bytes);
        for (int r = 0; r < worldSize; r++) {
            if (sizes[r] < 0) {
                throw failure != null ? failure : new CheckpointException(dir.resolve(dataFileName(generation, r, worldSize)), String.format(Locale.ROOT,
                        "rank %d of %d could not write its file (see its error), so the checkpoint was not committed; the previous checkpoint, if any, is intact", r, worldSize));
            }
        }

        List<CheckpointIndex.FileEntry> files = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            files.add(new CheckpointIndex.FileEntry(dataFileName(generation, r, worldSize), r, sizes[r]));
        }
        Map<String, CheckpointIndex.TensorEntry> tensors = new LinkedHashMap<>();
        long g = generation;
        layout.forEach((name, l) -> tensors.put(name, l.entry(g, worldSize)));
        CheckpointIndex index = new CheckpointIndex(CheckpointIndex.FORMAT_VERSION, generation, worldSize, metadata, files, tensors);
        boolean committed = true;
        if (rank == 0) {
            try {
                byte[] json = index.toJson();
                AtomicFiles.write(dir.resolve(INDEX_FILE), channel -> {
                    ByteBuffer b = ByteBuffer.wrap(json);
                    while (b.hasRemaining()) {
                        channel.write(b);
                    }
                });
            } catch (IOException e) {
                committed = false;
                failure = new CheckpointException(dir, "cannot save checkpoint: " + e.getMessage() + "; the previous checkpoint, if any, is intact", e);
            }
            if (committed) {
                try {
                    removeUnreferenced(dir, index);
                } catch (IOException e) {
                    LOG.warn("Saved checkpoint generation {} to {} but could not remove older files ({}); the next save retries", generation, dir, e.toString());
                }
            }
        }
        if (group != null) {
            committed = broadcastLong(group, committed ? 1 : 0) == 1;
        }
        if (!committed) {
            throw failure != null ? failure : new CheckpointException(dir.resolve(INDEX_FILE),
                    "rank 0 could not write the index (see its error); the previous checkpoint, if any, is intact");
        }
        LOG.debug("Saved checkpoint generation {} with {} tensors from rank {} of {} to {}", generation, tensors.size(), rank, worldSize, dir);
        return index;
    }

    private static long broadcastLong(ProcessGroup group, long value) {
        try (TensorScope s = currentScope("Checkpoint").child()) {
            return group.broadcast(s.fromArray(new long[] {value}, 1), 0).toLongArray()[0];
        }
    }

    private static long[] allGatherLong(ProcessGroup group, long value) {
        try (TensorScope s = currentScope("Checkpoint").child()) {
            return group.allGather(s.fromArray(new long[] {value}, 1)).toLongArray();
        }
    }

    private static TensorScope currentScope(String what) {
        return TensorScope.current().orElseThrow(() -> new IllegalStateException(
                what + " runs collectives, which need a scope open on the calling thread; call it from the rank's body (rank.scope() is current there)"));
    }

    // ---------------------------------------------------------------- the index

    /**
     * Reads the index of the complete checkpoint in a directory.
     *
     * @param dir the checkpoint directory
     * @return the index
     * @throws CheckpointException if the directory holds no complete checkpoint
     * @throws CheckpointFormatException if the index is malformed or of an unknown version
     */
    public static CheckpointIndex readIndex(Path dir) {
        Path file = dir.resolve(INDEX_FILE);
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(dir, "holds no complete checkpoint: " + INDEX_FILE
                    + " is missing (a save writes it last, so an interrupted first save leaves none)", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read the checkpoint index: " + e, e);
        }
        return CheckpointIndex.parse(file, json);
    }

    // ---------------------------------------------------------------- loading

    /**
     * Loads every tensor of the checkpoint in a directory, saved by any number of ranks, as whole tensors owned by
     * {@code scope}, on its device. Shards are assembled; padding was never stored. The tensors copy the files'
     * contents; nothing stays mapped.
     *
     * @param dir the checkpoint directory
     * @param scope the scope that owns the tensors
     * @return the tensors by name, in the order they were saved; pass it to
     *     {@link dev.crossbar.api.nn.Module#loadStateDict(Map)}
     * @throws CheckpointException if the directory holds no complete checkpoint or a file is missing or unreadable
     * @throws CheckpointFormatException if the index or a data file is malformed, truncated, or they disagree
     */
    public static Map<String, Tensor> load(Path dir, TensorScope scope) {
        Objects.requireNonNull(scope, "scope is null");
        return loadWhole(dir, readIndex(dir), scope, name -> true);
    }

    /**
     * Loads a checkpoint, sharded or not, into an unsharded model and optionally its optimizer, copying in place. A
     * checkpoint saved by FSDP on any number of ranks loads this way into a model on one device.
     *
     * @param dir the checkpoint directory
     * @param module the model; every parameter and buffer must be in the checkpoint with its shape
     * @param optimizer the model's optimizer, or null to load the model only
     * @return the checkpoint's index, for its metadata
     * @throws CheckpointException if the checkpoint cannot be read, or an optimizer is given and it holds no optimizer
     *     state
     * @throws IllegalArgumentException naming missing and unexpected keys
     */
    public static CheckpointIndex load(Path dir, Module module, Optimizer optimizer) {
        Objects.requireNonNull(module, "module is null");
        CheckpointIndex index = readIndex(dir);
        requireOptimizerState(dir, index, optimizer);
        try (TensorScope scope = currentScope("Checkpoint.load").child()) {
            Map<String, Tensor> all = loadWhole(dir, index, scope, name -> optimizer != null || !name.startsWith(OPTIMIZER_PREFIX));
            Map<String, Tensor> model = new LinkedHashMap<>();
            Map<String, Tensor> state = new LinkedHashMap<>();
            Map<String, Tensor> own = module.stateDict();
            all.forEach((name, t) -> {
                if (name.startsWith(OPTIMIZER_PREFIX)) {
                    state.put(name.substring(OPTIMIZER_PREFIX.length()), t);
                } else {
                    Tensor target = own.get(name);
                    // FSDP shards a scalar parameter as [1].
                    model.put(name, target != null && target.rank() == 0 && t.shape().equals(Shape.of(1)) ? t.reshape() : t);
                }
            });
            module.loadStateDict(model);
            if (optimizer != null) {
                optimizer.loadStateDict(module.namedParameters(), state);
            }
        }
        return index;
    }

    /**
     * Loads distributed tensors from a checkpoint saved by any number of ranks, in place: each rank reads from the
     * mapped data files only the rows of dim 0 its own (padded) local tensor covers, fills the padding with zeros and
     * copies the result into {@link DTensor#local()}. No collective runs; every rank may call it on its own.
     * Everything is checked (names, element types, global shapes, files) before the first tensor is changed.
     *
     * @param dir the checkpoint directory
     * @param into the tensors to fill by name, placed {@link Placement#replicate()} or {@code Shard(0)} on every mesh
     *     axis; the checkpoint may hold more tensors
     * @return the checkpoint's index, for its metadata
     * @throws CheckpointException if the checkpoint lacks a tensor, or holds it with another element type or global
     *     shape, or a file is missing or unreadable
     * @throws CheckpointFormatException if the index or a data file is malformed, truncated, or they disagree
     */
    public static CheckpointIndex loadSharded(Path dir, Map<String, DTensor> into) {
        Objects.requireNonNull(into, "into is null");
        CheckpointIndex index = readIndex(dir);
        loadSharded(dir, index, into);
        return index;
    }

    /**
     * Loads a sharded checkpoint, saved by {@link #save(Path, FsdpModule, Optimizer, ProcessGroup, Map)} on any
     * number of ranks, into a fully sharded model and optionally its optimizer, in place; see {@link #loadSharded}.
     *
     * @param dir the checkpoint directory
     * @param module the root unit of the model, sharded on this run's ranks
     * @param optimizer the optimizer over the sharded model, or null to load the model only
     * @return the checkpoint's index, for its metadata
     * @throws CheckpointException if the checkpoint cannot be read or does not fit the model, or an optimizer is given
     *     and it holds no optimizer state
     */
    public static CheckpointIndex load(Path dir, FsdpModule module, Optimizer optimizer) {
        Objects.requireNonNull(module, "module is null");
        CheckpointIndex index = readIndex(dir);
        requireOptimizerState(dir, index, optimizer);
        try (TensorScope scope = currentScope("Checkpoint.load").child(); Grad.Scope off = Grad.noGrad()) {
            Map<String, DTensor> parameters = module.shardedStateDict();
            Map<String, DTensor> into = new LinkedHashMap<>(parameters);
            Map<String, Tensor> state = new LinkedHashMap<>();
            if (optimizer != null) {
                // The optimizer's state loads into new tensors laid out like the parameters; loadStateDict copies it in.
                parameters.forEach((name, d) -> {
                    for (String slot : optimizer.stateNames()) {
                        if (index.tensors().containsKey(OPTIMIZER_PREFIX + name + "." + slot)) {
                            Tensor t = d.local().zerosLike();
                            into.put(OPTIMIZER_PREFIX + name + "." + slot, d.withLocal(t));
                            state.put(name + "." + slot, t);
                        }
                    }
                });
                state.put(Optimizer.STEP_KEY, loadWhole(dir, index, scope, OPTIMIZER_STEP::equals).get(OPTIMIZER_STEP));
            }
            loadSharded(dir, index, into);
            if (optimizer != null) {
                optimizer.loadStateDict(module.module().namedParameters(), state);
            }
        }
        return index;
    }

    private static void requireOptimizerState(Path dir, CheckpointIndex index, Optimizer optimizer) {
        if (optimizer != null && !index.tensors().containsKey(OPTIMIZER_STEP)) {
            throw new CheckpointException(dir, "holds no optimizer state (no '" + OPTIMIZER_STEP
                    + "'); it was saved without an optimizer, so load the model only (pass null) and start the optimizer afresh");
        }
    }

    private static Map<String, Tensor> loadWhole(Path dir, CheckpointIndex index, TensorScope scope, Predicate<String> wanted) {
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        boolean complete = false;
        try (ShardReader reader = new ShardReader(dir, index)) {
            List<String> names = index.tensors().keySet().stream().filter(wanted).toList();
            for (String name : names) {
                reader.prepare(name, 0, Safetensors.rows(index.tensors().get(name).shape()));
            }
            for (String name : names) {
                CheckpointIndex.TensorEntry t = index.tensors().get(name);
                int rows = Safetensors.rows(t.shape());
                MemorySegment bytes = t.shards().size() == 1
                        ? reader.mapped(t.shards().getFirst().file()).rows(name, 0, rows)
                        : MemorySegment.ofArray(reader.read(name, 0, rows, 0, rows));
                loaded.put(name, Safetensors.ownedCopy(scope, bytes, t.dtype(), t.shape()));
            }
            complete = true;
            return loaded;
        } finally {
            if (!complete) {
                loaded.values().forEach(Tensor::close);
            }
        }
    }

    private static void loadSharded(Path dir, CheckpointIndex index, Map<String, DTensor> into) {
        Path indexFile = dir.resolve(INDEX_FILE);
        try (ShardReader reader = new ShardReader(dir, index)) {
            Map<String, RowWindow> windows = new LinkedHashMap<>();
            into.forEach((name, d) -> {
                CheckpointIndex.TensorEntry t = index.tensors().get(name);
                if (t == null) {
                    throw new CheckpointException(indexFile, String.format(Locale.ROOT,
                            "holds no tensor '%s' (it holds %d tensors%s); the checkpoint is of another model", name, index.tensors().size(),
                            index.tensors().isEmpty() ? "" : ", such as '" + index.tensors().keySet().iterator().next() + "'"));
                }
                if (t.dtype() != d.local().dtype() || !t.shape().equals(d.globalShape())) {
                    throw new CheckpointException(indexFile, String.format(Locale.ROOT,
                            "holds tensor '%s' as %s%s but the target is %s%s; load into the model the checkpoint was saved from",
                            name, t.dtype(), t.shape(), d.local().dtype(), d.globalShape()));
                }
                RowWindow w = RowWindow.of(name, d.globalShape(), d.mesh(), d.placements(), d.coordinate());
                reader.prepare(name, w.from(), w.to());
                windows.put(name, w);
            });
            windows.forEach((name, w) -> {
                Tensor local = into.get(name).local();
                int localRows = Safetensors.rows(local.shape());
                byte[] bytes = reader.read(name, w.from(), w.to(), w.start(), localRows);
                try (Grad.Scope off = Grad.noGrad(); TensorScope s = TensorScope.localFor(local)) {
                    local.assign(Safetensors.ownedCopy(s, MemorySegment.ofArray(bytes), local.dtype(), local.shape()));
                }
            });
        }
    }

    // ---------------------------------------------------------------- layouts

    /** Rows {@code [from, to)} of a tensor's dim 0 that group rank {@code rank} stores (a scalar has one row). */
    private record RowShard(int rank, int from, int to) {
    }

    /** How a tensor is stored: its type, global shape and the ranks' parts, before file names are known. */
    private record Layout(DType dtype, Shape shape, List<RowShard> shards) {
        static Layout whole(Tensor t, int rank) {
            return new Layout(t.dtype(), t.shape(), List.of(new RowShard(rank, 0, Safetensors.rows(t.shape()))));
        }

        CheckpointIndex.TensorEntry entry(long generation, int worldSize) {
            List<CheckpointIndex.Shard> parts = new ArrayList<>();
            for (RowShard s : shards) {
                List<Integer> offsets = new ArrayList<>();
                int[] dims = shape.dims();
                for (int d = 0; d < dims.length; d++) {
                    offsets.add(d == 0 ? s.from() : 0);
                }
                if (dims.length > 0) {
                    dims[0] = s.to() - s.from();
                }
                parts.add(new CheckpointIndex.Shard(dataFileName(generation, s.rank(), worldSize), s.rank(), offsets, Shape.of(dims)));
            }
            return new CheckpointIndex.TensorEntry(dtype, shape, parts);
        }
    }

    /**
     * Which rows of a global tensor a rank's local tensor holds: local row 0 is global row {@code start}; rows
     * {@code [from, to)} are real data, the others padding. Shard(0) on several axes nests as in {@link DTensor}.
     */
    private record RowWindow(int start, int from, int to) {
        static RowWindow of(String name, Shape global, DeviceMesh mesh, List<Placement> placements, int[] coordinate) {
            int rows = Safetensors.rows(global);
            int start = 0;
            int from = 0;
            int to = rows;
            int length = rows;
            for (int a = 0; a < placements.size(); a++) {
                Placement p = placements.get(a);
                if (p instanceof Shard(int d) && d == 0) {
                    int chunk = Shard.chunk(length, mesh.shape()[a]);
                    start += coordinate[a] * chunk;
                    from = Math.max(from, start);
                    to = Math.min(to, start + chunk);
                    length = chunk;
                } else if (!(p instanceof Replicate)) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "tensor '%s' is placed %s; sharded checkpoints store Shard(0) and Replicate placements (FSDP's), so redistribute it first",
                            name, placements));
                }
            }
            from = Math.min(from, rows);
            return new RowWindow(start, from, Math.max(from, to));
        }
    }

    /**
     * Reads rows of tensors from a checkpoint's data files: checks every listed file's presence and size up front,
     * checks each tensor's shards tile dim 0, and maps a file (validating its header against the index) only when a
     * rank needs rows from it.
     */
    private static final class ShardReader implements AutoCloseable {
        private final Path dir;
        private final Path indexFile;
        private final CheckpointIndex index;
        private final Map<String, List<String>> namesByFile = new HashMap<>();
        private final Map<String, Safetensors.MappedFile> mapped = new LinkedHashMap<>();

        ShardReader(Path dir, CheckpointIndex index) {
            this.dir = dir;
            this.indexFile = dir.resolve(INDEX_FILE);
            this.index = index;
            for (CheckpointIndex.FileEntry f : index.files()) {
                checkDataFile(dir, indexFile, f);
                namesByFile.put(f.name(), new ArrayList<>());
            }
            index.tensors().forEach((name, t) -> {
                checkTiling(name, t);
                for (CheckpointIndex.Shard s : t.shards()) {
                    List<String> names = namesByFile.get(s.file());
                    if (names == null) {
                        throw new CheckpointFormatException(indexFile, name, Problem.INCONSISTENT_INDEX, "is stored in '" + s.file() + "', which \"files\" does not list");
                    }
                    names.add(name);
                }
            });
        }

        /** Each shard is whole on every dimension but 0, and the shards' rows tile {@code [0, rows)} without overlap. */
        private void checkTiling(String name, CheckpointIndex.TensorEntry t) {
            Shape global = t.shape();
            List<CheckpointIndex.Shard> shards = new ArrayList<>(t.shards());
            for (CheckpointIndex.Shard s : shards) {
                for (int d = 1; d < global.rank(); d++) {
                    if (s.offsets().get(d) != 0 || s.shape().dim(d) != global.dim(d)) {
                        throw new CheckpointFormatException(indexFile, name, Problem.INCONSISTENT_INDEX, String.format(Locale.ROOT,
                                "has a shard at offsets %s of shape %s in %s: it splits dimension %d, and this version reads shards of dimension 0 only",
                                s.offsets(), s.shape(), global, d));
                    }
                }
                if (s.shape().rank() != global.rank()) {
                    throw new CheckpointFormatException(indexFile, name, Problem.INCONSISTENT_INDEX, "has a shard of shape " + s.shape() + " in a tensor of shape " + global);
                }
            }
            shards.sort(Comparator.comparingInt(Checkpoint::firstRow));
            int covered = 0;
            for (CheckpointIndex.Shard s : shards) {
                if (firstRow(s) != covered) {
                    throw new CheckpointFormatException(indexFile, name, Problem.INCONSISTENT_INDEX, String.format(Locale.ROOT,
                            "its shards %s leave rows of dimension 0 uncovered or covered twice at row %d", t.shards(), covered));
                }
                covered += Safetensors.rows(s.shape());
            }
            if (covered != Safetensors.rows(global)) {
                throw new CheckpointFormatException(indexFile, name, Problem.INCONSISTENT_INDEX, String.format(Locale.ROOT,
                        "its shards cover %d rows of dimension 0 but the tensor has %d", covered, Safetensors.rows(global)));
            }
        }

        /** Maps every file that holds rows {@code [from, to)} of a tensor, so errors surface before anything is copied. */
        void prepare(String name, int from, int to) {
            for (CheckpointIndex.Shard s : index.tensors().get(name).shards()) {
                if (overlaps(s, from, to)) {
                    mapped(s.file());
                }
            }
        }

        /**
         * Rows {@code [from, to)} of a tensor, placed in a zero-filled buffer of {@code bufferRows} rows whose row 0 is
         * global row {@code start}.
         */
        byte[] read(String name, int from, int to, int start, int bufferRows) {
            CheckpointIndex.TensorEntry t = index.tensors().get(name);
            long rowBytes = Safetensors.rowBytes(t.dtype(), t.shape());
            byte[] buffer = new byte[Math.toIntExact(Math.multiplyExact(bufferRows, rowBytes))];
            MemorySegment target = MemorySegment.ofArray(buffer);
            for (CheckpointIndex.Shard s : t.shards()) {
                int lo = Math.max(from, firstRow(s));
                int hi = Math.min(to, firstRow(s) + Safetensors.rows(s.shape()));
                if (lo < hi) {
                    MemorySegment rows = mapped(s.file()).rows(name, lo - firstRow(s), hi - firstRow(s));
                    MemorySegment.copy(rows, 0, target, (lo - start) * rowBytes, rows.byteSize());
                }
            }
            return buffer;
        }

        Safetensors.MappedFile mapped(String file) {
            Safetensors.MappedFile m = mapped.get(file);
            if (m == null) {
                Path path = dir.resolve(file);
                m = Safetensors.map(path);
                mapped.put(file, m);
                checkHeader(path, m, file);
            }
            return m;
        }

        /** The file holds exactly the tensors the index places there, each with the shard's type and shape. */
        private void checkHeader(Path path, Safetensors.MappedFile m, String file) {
            Set<String> expected = new HashSet<>(namesByFile.getOrDefault(file, List.of()));
            for (Safetensors.Entry e : m.header().tensors()) {
                if (!expected.remove(e.name())) {
                    throw new CheckpointFormatException(path, e.name(), Problem.INCONSISTENT_INDEX, "is in the file but the index does not place it there");
                }
                CheckpointIndex.TensorEntry t = index.tensors().get(e.name());
                CheckpointIndex.Shard s = t.shards().stream().filter(x -> x.file().equals(file)).findFirst().orElseThrow();
                if (t.dtype() != e.dtype() || !s.shape().equals(e.shape())) {
                    throw new CheckpointFormatException(path, e.name(), Problem.INCONSISTENT_INDEX, String.format(Locale.ROOT,
                            "is %s%s in the file but %s%s in the index", e.dtype(), e.shape(), t.dtype(), s.shape()));
                }
            }
            if (!expected.isEmpty()) {
                throw new CheckpointFormatException(path, null, Problem.INCONSISTENT_INDEX, "lacks tensors the index places there: " + expected);
            }
        }

        @Override
        public void close() {
            mapped.values().forEach(Safetensors.MappedFile::close);
        }
    }

    private static int firstRow(CheckpointIndex.Shard s) {
        return s.offsets().isEmpty() ? 0 : s.offsets().getFirst();
    }

    private static boolean overlaps(CheckpointIndex.Shard s, int from, int to) {
        return Math.max(from, firstRow(s)) < Math.min(to, firstRow(s) + Safetensors.rows(s.shape()));
    }

    private static void checkDataFile(Path dir, Path indexFile, CheckpointIndex.FileEntry f) {
        Path path = dir.resolve(f.name());
        if (f.name().contains("/") || f.name().contains("\\") || f.name().startsWith(".")) {
            throw new CheckpointFormatException(indexFile, null, Problem.INCONSISTENT_INDEX, "file name '" + f.name() + "' leaves the checkpoint directory");
        }
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path, String.format(Locale.ROOT, "is listed in %s as the file of rank %d but missing; the checkpoint was modified"
                    + " after it was saved (or the ranks do not share this directory)", INDEX_FILE, f.rank()), e);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot read: " + e, e);
        }
        if (size != f.bytes()) {
            throw new CheckpointFormatException(path, null, size < f.bytes() ? Problem.TRUNCATED : Problem.INCONSISTENT_INDEX, String.format(Locale.ROOT,
                    "has %d bytes but the index records %d; the file was modified after the checkpoint was saved", size, f.bytes()));
        }
    }

    // ---------------------------------------------------------------- files

    static String dataFileName(long generation, int rank, int worldSize) {
        return String.format(Locale.ROOT, "model-g%06d-rank%05d-of%05d.safetensors", generation, rank, worldSize);
    }

    /** The highest generation of the index or of any data file in the directory, so a new save never reuses a name. */
    private static long latestGeneration(Path dir) throws IOException {
        long latest = 0;
        try {
            latest = readIndex(dir).generation();
        } catch (CheckpointException e) {
            LOG.debug("No readable checkpoint index in {}: {}", dir, e.getMessage());
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Matcher m = DATA_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    latest = Math.max(latest, Long.parseLong(m.group(1)));
                }
            }
        }
        return latest;
    }

    /** Deletes data files of earlier generations and temporary files of crashed saves; leaves every other file alone. */
    private static void removeUnreferenced(Path dir, CheckpointIndex index) throws IOException {
        Set<String> referenced = new HashSet<>();
        index.files().forEach(f -> referenced.add(f.name()));
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if ((DATA_FILE.matcher(name).matches() && !referenced.contains(name)) || AtomicFiles.isTemporary(name)) {
                    stale.add(p);
                }
            }
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
        if (!stale.isEmpty()) {
            AtomicFiles.forceDirectory(dir);
        }
    }
}
