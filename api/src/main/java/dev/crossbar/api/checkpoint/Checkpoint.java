package dev.crossbar.api.checkpoint;

import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.checkpoint.CheckpointFormatException.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves and loads the state of a model as a checkpoint directory: safetensors data files plus an index,
 * {@value #INDEX_FILE} (see {@link CheckpointIndex}), in the layout of Hugging Face's sharded checkpoints.
 *
 * <pre>{@code
 * Checkpoint.save(dir, model.stateDict(), Map.of("step", "1000"));
 * ...
 * try (TensorScope s = root.child()) {
 *     model.loadStateDict(Checkpoint.load(dir, s));
 * }
 * }</pre>
 *
 * <p>A save never destroys the previous checkpoint. Each save writes its data files under new names (they carry the
 * save's generation number), each atomically, then replaces the index atomically, and only then deletes the previous
 * generation's files. A crash before the index is replaced leaves the previous checkpoint, whose index and files are
 * untouched; a crash after leaves the new one. A checkpoint is complete exactly when its index is in place. Files a
 * crashed save left behind are removed by the next save. One process at a time may save into a directory.
 *
 * <p>This version writes and reads checkpoints of world size 1 (rank 0 writes one file). The index already records,
 * for every tensor, its global shape and each shard's file, rank, offsets and shape, so sharded saves (one file per
 * rank) and loading into a different world size fit the same layout.
 */
public final class Checkpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

    /** The index file's name, as Hugging Face names the index of a sharded safetensors checkpoint. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final Pattern DATA_FILE = Pattern.compile("model-g(\\d{6,})-rank(\\d{5,})-of(\\d{5,})\\.safetensors");

    private Checkpoint() {
    }

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
        int rank = 0;
        int worldSize = 1;
        try {
            Files.createDirectories(dir);
            long generation = latestGeneration(dir) + 1;
            String fileName = dataFileName(generation, rank, worldSize);
            Map<String, String> fileMetadata = new LinkedHashMap<>();
            fileMetadata.put("format", "pt");
            fileMetadata.putAll(metadata);
            Path dataFile = dir.resolve(fileName);
            Safetensors.write(dataFile, state, fileMetadata);

            Map<String, CheckpointIndex.TensorEntry> tensors = new LinkedHashMap<>();
            state.forEach((name, t) -> {
                List<Integer> zeros = new ArrayList<>();
                for (int i = 0; i < t.rank(); i++) {
                    zeros.add(0);
                }
                tensors.put(name, new CheckpointIndex.TensorEntry(t.dtype(), t.shape(),
                        List.of(new CheckpointIndex.Shard(fileName, rank, zeros, t.shape()))));
            });
            CheckpointIndex index = new CheckpointIndex(CheckpointIndex.FORMAT_VERSION, generation, worldSize, metadata,
                    List.of(new CheckpointIndex.FileEntry(fileName, rank, Files.size(dataFile))), tensors);
            byte[] json = index.toJson();
            AtomicFiles.write(dir.resolve(INDEX_FILE), channel -> {
                ByteBuffer b = ByteBuffer.wrap(json);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            });
            removeUnreferenced(dir, index);
            LOG.debug("Saved checkpoint generation {} with {} tensors to {}", generation, tensors.size(), dir);
            return index;
        } catch (IOException e) {
            throw new CheckpointException(dir, "cannot save checkpoint: " + e.getMessage() + "; the previous checkpoint, if any, is intact", e);
        }
    }

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

    /**
     * Loads every tensor of the checkpoint in a directory into new tensors owned by {@code scope}, on its device. The
     * tensors copy the files' contents; nothing stays mapped.
     *
     * @param dir the checkpoint directory
     * @param scope the scope that owns the tensors
     * @return the tensors by name, in the order they were saved; pass it to
     *     {@link dev.crossbar.api.nn.Module#loadStateDict(Map)}
     * @throws CheckpointException if the directory holds no complete checkpoint or a file cannot be read
     * @throws CheckpointFormatException if the index or a data file is malformed or they disagree
     */
    public static Map<String, Tensor> load(Path dir, TensorScope scope) {
        Objects.requireNonNull(scope, "scope is null");
        CheckpointIndex index = readIndex(dir);
        Path indexFile = dir.resolve(INDEX_FILE);
        if (index.worldSize() != 1) {
            throw new CheckpointException(dir, String.format(Locale.ROOT,
                    "was saved by %d ranks; loading sharded checkpoints is not implemented yet, load it with world size %d", index.worldSize(), index.worldSize()));
        }
        Map<String, CheckpointIndex.FileEntry> files = new LinkedHashMap<>();
        for (CheckpointIndex.FileEntry f : index.files()) {
            files.put(f.name(), f);
            checkDataFile(dir, indexFile, f);
        }
        Map<String, List<String>> namesByFile = new LinkedHashMap<>();
        index.tensors().forEach((name, t) -> {
            if (t.shards().size() != 1 || !t.shards().getFirst().coversWhole(t.shape())) {
                throw new CheckpointFormatException(indexFile, name, Problem.INCONSISTENT_INDEX,
                        "is stored in " + t.shards().size() + " shards; loading sharded tensors is not implemented yet");
            }
            String file = t.shards().getFirst().file();
            if (!files.containsKey(file)) {
                throw new CheckpointFormatException(indexFile, name, Problem.INCONSISTENT_INDEX, "is stored in '" + file + "', which \"files\" does not list");
            }
            namesByFile.computeIfAbsent(file, k -> new ArrayList<>()).add(name);
        });

        Map<String, Tensor> loaded = new LinkedHashMap<>();
        boolean complete = false;
        try {
            for (String file : files.keySet()) {
                Path path = dir.resolve(file);
                Safetensors.Header header = Safetensors.readHeader(path);
                Set<String> expected = new HashSet<>(namesByFile.getOrDefault(file, List.of()));
                for (Safetensors.Entry e : header.tensors()) {
                    CheckpointIndex.TensorEntry t = index.tensors().get(e.name());
                    if (t == null || !expected.contains(e.name())) {
                        throw new CheckpointFormatException(path, e.name(), Problem.INCONSISTENT_INDEX, "is in the file but the index does not place it there");
                    }
                    if (t.dtype() != e.dtype() || !t.shape().equals(e.shape())) {
                        throw new CheckpointFormatException(path, e.name(), Problem.INCONSISTENT_INDEX, String.format(Locale.ROOT,
                                "is %s%s in the file but %s%s in the index", e.dtype(), e.shape(), t.dtype(), t.shape()));
                    }
                    expected.remove(e.name());
                }
                if (!expected.isEmpty()) {
                    throw new CheckpointFormatException(path, null, Problem.INCONSISTENT_INDEX, "lacks tensors the index places there: " + expected);
                }
                loaded.putAll(Safetensors.read(path, scope));
            }
            Map<String, Tensor> ordered = new LinkedHashMap<>();
            index.tensors().keySet().forEach(name -> ordered.put(name, loaded.get(name)));
            complete = true;
            return ordered;
        } finally {
            if (!complete) {
                loaded.values().forEach(Tensor::close);
            }
        }
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
            throw new CheckpointException(path, "is listed in " + INDEX_FILE + " but missing; the checkpoint was modified after it was saved", e);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot read: " + e, e);
        }
        if (size != f.bytes()) {
            throw new CheckpointFormatException(path, null, Problem.INCONSISTENT_INDEX, String.format(Locale.ROOT,
                    "has %d bytes but the index records %d; the file was modified after the checkpoint was saved", size, f.bytes()));
        }
    }

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
