package dev.crossbar.api.checkpoint;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.checkpoint.CheckpointFormatException.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The index of a checkpoint directory: which files hold which tensors, and how each tensor is split across ranks.
 *
 * <p>It is stored as {@value Checkpoint#INDEX_FILE}, a superset of Hugging Face's index of the same name (whose
 * {@code "weight_map"} it keeps, so tools that read that index find tensors that are stored whole):
 *
 * <pre>{@code
 * {
 *   "format_version": 1,
 *   "generation": 7,
 *   "world_size": 1,
 *   "total_size": 4128,
 *   "metadata": {"step": "1000"},
 *   "files": [{"name": "model-g000007-rank00000-of00001.safetensors", "rank": 0, "bytes": 4216}],
 *   "tensors": {
 *     "fc.weight": {"dtype": "F32", "shape": [32, 32],
 *                   "shards": [{"file": "model-g000007-rank00000-of00001.safetensors", "rank": 0,
 *                               "offsets": [0, 0], "shape": [32, 32]}]}
 *   },
 *   "weight_map": {"fc.weight": "model-g000007-rank00000-of00001.safetensors"}
 * }
 * }</pre>
 *
 * <p>{@code "shape"} of a tensor is its global shape; each shard names the file (written by {@code rank}) that stores
 * it under the tensor's own name, its position in the global tensor ({@code "offsets"}, one per dimension) and its
 * local shape. A tensor stored whole has one shard at offset zero. A sharded save (one file per rank, FSDP's dim-0
 * shards; see {@link Checkpoint#saveSharded}) lists one shard per rank that holds real rows: the padding of FSDP's
 * equal chunks is not stored, so the last ranks' shards are shorter (or absent), and a replicated tensor has a single
 * shard written by rank 0. The shards of a tensor tile dimension 0 exactly, which is all a loader needs to reassemble
 * the tensor or re-split it for another world size. {@code "files"} lists one file per rank of the saving group, even
 * a rank that stored no rows, so a missing file is always detected.
 *
 * @param formatVersion the layout version of the index; this reader knows {@value #FORMAT_VERSION}
 * @param generation the save's sequence number in its directory, part of every data file's name
 * @param worldSize the number of ranks that wrote the checkpoint
 * @param metadata the caller's strings
 * @param files the data files, in rank order
 * @param tensors every tensor by name, in the order they were saved
 */
public record CheckpointIndex(int formatVersion, long generation, int worldSize, Map<String, String> metadata, List<FileEntry> files,
        Map<String, TensorEntry> tensors) {

    /** The index layout this version of Crossbar writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Copies the collections.
     *
     * @param formatVersion the layout version
     * @param generation the save's sequence number
     * @param worldSize the number of ranks
     * @param metadata the caller's strings
     * @param files the data files
     * @param tensors the tensors by name
     */
    public CheckpointIndex {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        files = List.copyOf(files);
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * One data file.
     *
     * @param name the file name, relative to the checkpoint directory
     * @param rank the rank that wrote it
     * @param bytes its size, checked on load
     */
    public record FileEntry(String name, int rank, long bytes) {
        /**
         * Validates the name.
         *
         * @param name the file name
         * @param rank the rank
         * @param bytes the size
         */
        public FileEntry {
            Objects.requireNonNull(name, "name is null");
        }
    }

    /**
     * One tensor of the checkpoint.
     *
     * @param dtype its element type
     * @param shape its global shape
     * @param shards where its parts are stored; one shard covering the whole tensor when it is not split
     */
    public record TensorEntry(DType dtype, Shape shape, List<Shard> shards) {
        /**
         * Copies the shards.
         *
         * @param dtype the element type
         * @param shape the global shape
         * @param shards the parts
         */
        public TensorEntry {
            Objects.requireNonNull(dtype, "dtype is null");
            Objects.requireNonNull(shape, "shape is null");
            shards = List.copyOf(shards);
        }
    }

    /**
     * A part of a tensor stored in one file.
     *
     * @param file the file name, relative to the checkpoint directory
     * @param rank the rank that wrote it
     * @param offsets the position of the part's first element in the global tensor, one per dimension
     * @param shape the part's shape
     */
    public record Shard(String file, int rank, List<Integer> offsets, Shape shape) {
        /**
         * Copies the offsets.
         *
         * @param file the file
         * @param rank the rank
         * @param offsets the position in the global tensor
         * @param shape the part's shape
         */
        public Shard {
            Objects.requireNonNull(file, "file is null");
            offsets = List.copyOf(offsets);
            Objects.requireNonNull(shape, "shape is null");
        }

        /**
         * Tells whether this part is the whole of a tensor of {@code global} shape.
         *
         * @param global the tensor's shape
         * @return true when the offsets are zero and the shapes equal
         */
        public boolean coversWhole(Shape global) {
            return shape.equals(global) && offsets.stream().allMatch(o -> o == 0);
        }
    }

    // ---------------------------------------------------------------- JSON

    byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Safetensors.JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("format_version", formatVersion);
            g.writeNumberField("generation", generation);
            g.writeNumberField("world_size", worldSize);
            long total = 0;
            for (TensorEntry t : tensors.values()) {
                total += t.shape().size() * t.dtype().byteSize();
            }
            g.writeNumberField("total_size", total);
            g.writeObjectFieldStart("metadata");
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                g.writeStringField(m.getKey(), m.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("files");
            for (FileEntry f : files) {
                g.writeStartObject();
                g.writeStringField("name", f.name());
                g.writeNumberField("rank", f.rank());
                g.writeNumberField("bytes", f.bytes());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("tensors");
            for (Map.Entry<String, TensorEntry> t : tensors.entrySet()) {
                g.writeObjectFieldStart(t.getKey());
                g.writeStringField("dtype", Safetensors.nameOf(t.getValue().dtype()));
                writeInts(g, "shape", t.getValue().shape().dims());
                g.writeArrayFieldStart("shards");
                for (Shard s : t.getValue().shards()) {
                    g.writeStartObject();
                    g.writeStringField("file", s.file());
                    g.writeNumberField("rank", s.rank());
                    writeInts(g, "offsets", s.offsets().stream().mapToInt(Integer::intValue).toArray());
                    writeInts(g, "shape", s.shape().dims());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
            // Hugging Face's index: tensors stored whole, by the file that holds them.
            g.writeObjectFieldStart("weight_map");
            for (Map.Entry<String, TensorEntry> t : tensors.entrySet()) {
                List<Shard> shards = t.getValue().shards();
                if (shards.size() == 1 && shards.getFirst().coversWhole(t.getValue().shape())) {
                    g.writeStringField(t.getKey(), shards.getFirst().file());
                }
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static void writeInts(JsonGenerator g, String field, int[] values) throws IOException {
        g.writeArrayFieldStart(field);
        for (int v : values) {
            g.writeNumber(v);
        }
        g.writeEndArray();
    }

    /** Parses an index; unknown top-level fields are skipped so later minor additions stay readable. */
    static CheckpointIndex parse(Path file, byte[] json) {
        int formatVersion = -1;
        long generation = -1;
        int worldSize = -1;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<FileEntry> files = null;
        Map<String, TensorEntry> tensors = null;
        try (JsonParser p = Safetensors.JSON.createParser(json)) {
            expect(file, p, p.nextToken(), JsonToken.START_OBJECT, "the index");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "format_version" -> formatVersion = intValue(file, p, field);
                    case "generation" -> generation = longValue(file, p, field);
                    case "world_size" -> worldSize = intValue(file, p, field);
                    case "metadata" -> {
                        expect(file, p, value, JsonToken.START_OBJECT, "\"metadata\"");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            expect(file, p, p.nextToken(), JsonToken.VALUE_STRING, "metadata value of '" + key + "'");
                            metadata.put(key, p.getText());
                        }
                    }
                    case "files" -> files = parseFiles(file, p);
                    case "tensors" -> tensors = parseTensors(file, p);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw inconsistent(file, null, "unexpected content after the index object");
            }
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointFormatException(file, null, Problem.MALFORMED_HEADER, "the index is not valid JSON: " + e.getMessage(), e);
        }
        if (formatVersion != FORMAT_VERSION) {
            throw inconsistent(file, null, formatVersion < 0 ? "\"format_version\" is missing"
                    : String.format(Locale.ROOT, "\"format_version\" is %d but this Crossbar reads version %d; load it with the Crossbar that wrote it", formatVersion, FORMAT_VERSION));
        }
        if (generation < 0 || worldSize < 1 || files == null || tensors == null) {
            throw inconsistent(file, null, "\"generation\", \"world_size\", \"files\" and \"tensors\" are required");
        }
        return new CheckpointIndex(formatVersion, generation, worldSize, metadata, files, tensors);
    }

    private static List<FileEntry> parseFiles(Path file, JsonParser p) throws IOException {
        expect(file, p, p.currentToken(), JsonToken.START_ARRAY, "\"files\"");
        List<FileEntry> files = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            int rank = -1;
            long bytes = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "name" -> name = stringValue(file, p, field);
                    case "rank" -> rank = intValue(file, p, field);
                    case "bytes" -> bytes = longValue(file, p, field);
                    default -> p.skipChildren();
                }
            }
            if (name == null || rank < 0 || bytes < 0) {
                throw inconsistent(file, null, "each entry of \"files\" needs \"name\", \"rank\" and \"bytes\"");
            }
            files.add(new FileEntry(name, rank, bytes));
        }
        expect(file, p, p.currentToken(), JsonToken.END_ARRAY, "the end of \"files\"");
        return files;
    }

    private static Map<String, TensorEntry> parseTensors(Path file, JsonParser p) throws IOException {
        expect(file, p, p.currentToken(), JsonToken.START_OBJECT, "\"tensors\"");
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            expect(file, p, p.nextToken(), JsonToken.START_OBJECT, "tensor '" + name + "'");
            DType dtype = null;
            Shape shape = null;
            List<Shard> shards = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "dtype" -> {
                        String d = stringValue(file, p, field);
                        dtype = java.util.Arrays.stream(DType.values()).filter(t -> Safetensors.nameOf(t).equals(d)).findFirst()
                                .orElseThrow(() -> new CheckpointFormatException(file, name, Problem.UNKNOWN_DTYPE, "dtype \"" + d + "\" is not supported"));
                    }
                    case "shape" -> shape = Shape.of(ints(file, p, field));
                    case "shards" -> {
                        expect(file, p, p.currentToken(), JsonToken.START_ARRAY, "\"shards\" of '" + name + "'");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            shards.add(parseShard(file, p, name));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (dtype == null || shape == null || shards.isEmpty()) {
                throw inconsistent(file, name, "a tensor needs \"dtype\", \"shape\" and at least one shard");
            }
            if (tensors.put(name, new TensorEntry(dtype, shape, shards)) != null) {
                throw new CheckpointFormatException(file, name, Problem.DUPLICATE_NAME, "the name appears twice in \"tensors\"");
            }
        }
        return tensors;
    }

    private static Shard parseShard(Path file, JsonParser p, String tensor) throws IOException {
        String name = null;
        int rank = -1;
        int[] offsets = null;
        Shape shape = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "file" -> name = stringValue(file, p, field);
                case "rank" -> rank = intValue(file, p, field);
                case "offsets" -> offsets = ints(file, p, field);
                case "shape" -> shape = Shape.of(ints(file, p, field));
                default -> p.skipChildren();
            }
        }
        if (name == null || rank < 0 || offsets == null || shape == null || offsets.length != shape.rank()) {
            throw inconsistent(file, tensor, "each shard needs \"file\", \"rank\", \"offsets\" and \"shape\" of the same rank");
        }
        List<Integer> o = new ArrayList<>();
        for (int v : offsets) {
            o.add(v);
        }
        return new Shard(name, rank, o, shape);
    }

    private static int[] ints(Path file, JsonParser p, String field) throws IOException {
        expect(file, p, p.currentToken(), JsonToken.START_ARRAY, "\"" + field + "\"");
        List<Integer> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int v = intValue(file, p, field);
            values.add(v);
        }
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int intValue(Path file, JsonParser p, String field) throws IOException {
        long v = longValue(file, p, field);
        if (v > Integer.MAX_VALUE) {
            throw inconsistent(file, null, "\"" + field + "\" is " + v + ", larger than " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    private static long longValue(Path file, JsonParser p, String field) throws IOException {
        expect(file, p, p.currentToken(), JsonToken.VALUE_NUMBER_INT, "\"" + field + "\"");
        long v = p.getLongValue();
        if (v < 0) {
            throw inconsistent(file, null, "\"" + field + "\" is negative: " + v);
        }
        return v;
    }

    private static String stringValue(Path file, JsonParser p, String field) throws IOException {
        expect(file, p, p.currentToken(), JsonToken.VALUE_STRING, "\"" + field + "\"");
        return p.getText();
    }

    private static void expect(Path file, JsonParser p, JsonToken actual, JsonToken expected, String what) {
        if (actual != expected) {
            throw new CheckpointFormatException(file, null, Problem.MALFORMED_HEADER, String.format(Locale.ROOT,
                    "expected %s for %s but found %s at %s", expected, what, actual, p.currentLocation().offsetDescription()));
        }
    }

    private static CheckpointFormatException inconsistent(Path file, String tensor, String message) {
        return new CheckpointFormatException(file, tensor, Problem.INCONSISTENT_INDEX, message);
    }
}
