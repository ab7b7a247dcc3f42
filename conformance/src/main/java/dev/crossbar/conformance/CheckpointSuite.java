package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Functional;
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
import dev.crossbar.api.nn.Activation;
import dev.crossbar.api.nn.Linear;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.nn.Sequential;
import dev.crossbar.api.optim.Optimizer;
import dev.crossbar.api.optim.Sgd;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints on the backend under test: safetensors files that round-trip every element type bit for bit, that match
 * files built byte by byte, that are rejected with a typed error for every kind of corruption, checkpoint directories
 * that survive a process killed in the middle of a save, and training that continues identically after a reload.
 */
public abstract class CheckpointSuite extends BackendFixture {
    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- round trips

    @TestFactory
    public final Stream<DynamicTest> everyDTypeRoundTripsBitForBit() {
        return Arrays.stream(DType.values()).map(dtype -> DynamicTest.dynamicTest(dtype.name(), () -> {
            try (TensorScope scope = root().child()) {
                Map<String, Tensor> state = new LinkedHashMap<>();
                byte[] special = specialValues(dtype);
                int n = special.length / dtype.byteSize();
                state.put("special", scope.fromSegment(MemorySegment.ofArray(special), dtype, Shape.of(n)));
                state.put("matrix", scope.fromSegment(MemorySegment.ofArray(repeat(special, 6)), dtype, Shape.of(3, 2, n)));
                state.put("scalar", scope.fromSegment(MemorySegment.ofArray(Arrays.copyOf(special, dtype.byteSize())), dtype, Shape.scalar()));
                state.put("empty", scope.fromSegment(MemorySegment.ofArray(new byte[0]), dtype, Shape.of(0)));
                state.put("empty2d", scope.fromSegment(MemorySegment.ofArray(new byte[0]), dtype, Shape.of(4, 0)));
                state.put("transposed", state.get("matrix").permute(2, 1, 0));
                Path file = tmp.resolve("all-" + dtype.shortName() + ".safetensors");
                Safetensors.write(file, state, Map.of("dtype", dtype.name()));

                Map<String, Tensor> loaded = Safetensors.read(file, scope);
                assertEquals(List.copyOf(state.keySet()), List.copyOf(loaded.keySet()), "the header keeps the map's order");
                for (String name : state.keySet()) {
                    Tensor expected = state.get(name);
                    Tensor actual = loaded.get(name);
                    assertEquals(dtype, actual.dtype(), name);
                    assertEquals(expected.shape(), actual.shape(), name);
                    assertEquals(root().device(), actual.device(), name);
                    assertArrayEquals(bits(expected), bits(actual), name + " must keep every bit, NaN payloads, -0 and infinities included");
                }
                assertEquals(Map.of("dtype", dtype.name()), Safetensors.readHeader(file).metadata());

                Path again = tmp.resolve("again-" + dtype.shortName() + ".safetensors");
                Safetensors.write(again, loaded, Map.of("dtype", dtype.name()));
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again), "writing what was read gives the same bytes");
            }
        }));
    }

    @Test
    public final void readsAFileBuiltByHandAsAnIndependentWriterWouldWriteIt() throws IOException {
        // Offsets in a different order than the names, no padding, whitespace in the JSON: all allowed by the format.
        String header = "{ \"b\": {\"dtype\": \"I64\", \"shape\": [2], \"data_offsets\": [0, 16]},\n"
                + "  \"a\": {\"shape\": [2, 2], \"data_offsets\": [16, 32], \"dtype\": \"F32\"},\n"
                + "  \"__metadata__\": {\"format\": \"pt\", \"note\": \"h\u00e9llo\"},\n"
                + "  \"flags\": {\"dtype\": \"BOOL\", \"shape\": [3], \"data_offsets\": [34, 37]},\n"
                + "  \"h\": {\"dtype\": \"BF16\", \"shape\": [], \"data_offsets\": [32, 34]} }";
        ByteBuffer data = ByteBuffer.allocate(37).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(-3L).putLong(Long.MAX_VALUE);
        data.putFloat(1.5f).putFloat(-2f).putFloat(0.25f).putFloat(Float.MIN_VALUE);
        data.putShort((short) 0x3fc0); // bf16 1.5
        data.put((byte) 1).put((byte) 0).put((byte) 1);
        Path file = write("independent.safetensors", file(header, data.array()));

        Safetensors.Header parsed = Safetensors.readHeader(file);
        assertEquals(Map.of("format", "pt", "note", "h\u00e9llo"), parsed.metadata());
        assertEquals(List.of("b", "a", "flags", "h"), parsed.tensors().stream().map(Safetensors.Entry::name).toList());
        try (TensorScope scope = root().child()) {
            Map<String, Tensor> t = Safetensors.read(file, scope);
            assertEquals(List.of("b", "a", "flags", "h"), List.copyOf(t.keySet()));
            assertArrayEquals(new long[] {-3L, Long.MAX_VALUE}, t.get("b").toLongArray());
            assertEquals(Shape.of(2, 2), t.get("a").shape());
            assertArrayEquals(new float[] {1.5f, -2f, 0.25f, Float.MIN_VALUE}, t.get("a").toFloatArray());
            assertArrayEquals(new boolean[] {true, false, true}, t.get("flags").toBooleanArray());
            assertEquals(Shape.scalar(), t.get("h").shape());
            assertEquals(1.5, t.get("h").item());
        }
    }

    @Test
    public final void writesTheBytesTheFormatPrescribes() throws IOException {
        try (TensorScope scope = root().child()) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("w", scope.fromArray(new float[] {1.5f, -2f}, 2));
            state.put("flag", scope.fromArray(new boolean[] {true, false, true}, 3));
            state.put("i", scope.fromArray(new long[] {-2}, 1));
            Path file = tmp.resolve("prescribed.safetensors");
            Safetensors.write(file, state, Map.of("k", "v"));

            // Wider types first in the data section (the reference writer's alignment), the map's order in the header.
            String json = "{\"__metadata__\":{\"k\":\"v\"},"
                    + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                    + "\"flag\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[16,19]},"
                    + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
            String padded = json + " ".repeat((8 - json.length() % 8) % 8);
            ByteBuffer data = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
            data.putLong(-2L).putFloat(1.5f).putFloat(-2f).put((byte) 1).put((byte) 0).put((byte) 1);
            byte[] expected = file(padded, data.array());
            byte[] actual = Files.readAllBytes(file);
            assertEquals(0, (actual.length - data.capacity()) % 8, "8 + N is a multiple of 8, so the data section is aligned");
            assertEquals(new String(expected, StandardCharsets.ISO_8859_1), new String(actual, StandardCharsets.ISO_8859_1));
        }
    }

    // ---------------------------------------------------------------- validation

    @TestFactory
    public final Stream<DynamicTest> everyMalformedFileFailsWithItsProblemNamingFileAndTensor() {
        String a4 = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        List<Object[]> cases = List.of(
                bad("shorter than the length prefix", new byte[] {1, 2, 3}, Problem.TRUNCATED, null),
                bad("header length above the 100 MB limit", prefixed(200L << 20, "{}".getBytes(StandardCharsets.UTF_8)), Problem.HEADER_TOO_LARGE, null),
                bad("header length with the top bit set", prefixed(-1L, new byte[8]), Problem.HEADER_TOO_LARGE, null),
                bad("header length past the end of the file", prefixed(100, "{}".getBytes(StandardCharsets.UTF_8)), Problem.TRUNCATED, null),
                bad("JSON cut short", file("{\"a\":{\"dtype\":\"F32\",", new byte[0]), Problem.MALFORMED_HEADER, "a"),
                bad("header not an object", file("[1, 2]", new byte[0]), Problem.MALFORMED_HEADER, null),
                bad("garbage after the object", file("{} x", new byte[0]), Problem.MALFORMED_HEADER, null),
                bad("header not UTF-8", prefixed(3, new byte[] {'{', (byte) 0xff, '}'}), Problem.MALFORMED_HEADER, null),
                bad("unknown field", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", new byte[4]), Problem.MALFORMED_HEADER, "a"),
                bad("missing data_offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), Problem.MALFORMED_HEADER, "a"),
                bad("negative dimension", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), Problem.MALFORMED_HEADER, "a"),
                bad("fractional offset", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}}", new byte[4]), Problem.MALFORMED_HEADER, "a"),
                bad("three offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", new byte[4]), Problem.MALFORMED_HEADER, "a"),
                bad("metadata value not a string", file("{\"__metadata__\":{\"k\":1}," + a4 + "}", new byte[4]), Problem.MALFORMED_HEADER, null),
                bad("unknown dtype", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]), Problem.UNKNOWN_DTYPE, "a"),
                bad("duplicate name", file("{" + a4 + "," + a4 + "}", new byte[4]), Problem.DUPLICATE_NAME, "a"),
                bad("shape and offsets disagree", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]), Problem.SIZE_MISMATCH, "a"),
                bad("offsets end before they begin", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[4]), Problem.OUT_OF_BOUNDS, "a"),
                bad("offsets past the data section", file("{" + a4 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[4]), Problem.OUT_OF_BOUNDS, "b"),
                bad("overlapping tensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), Problem.OVERLAP, "b"),
                bad("hole between tensors", file("{" + a4 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]), Problem.GAP, "b"),
                bad("hole before the first tensor", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), Problem.GAP, "a"),
                bad("trailing bytes after the last tensor", file("{" + a4 + "}", new byte[8]), Problem.GAP, "a"),
                bad("data section cut short", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[10]), Problem.TRUNCATED, "a"));
        return cases.stream().map(c -> DynamicTest.dynamicTest((String) c[0], () -> {
            Path file = write(((String) c[0]).replaceAll("\\W+", "-") + ".safetensors", (byte[]) c[1]);
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Safetensors.readHeader(file));
            assertEquals(c[2], e.problem(), e.getMessage());
            assertEquals(c[3], e.tensor().orElse(null), e.getMessage());
            assertEquals(file, e.file());
            assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
            if (c[3] != null) {
                assertTrue(e.getMessage().contains("'" + c[3] + "'"), "the message names the tensor: " + e.getMessage());
            }
            try (TensorScope scope = root().child()) {
                assertThrows(CheckpointFormatException.class, () -> Safetensors.read(file, scope));
                assertEquals(0, scope.size(), "a failed read leaves no tensors behind");
            }
        }));
    }

    @Test
    public final void everyPrefixOfAValidFileIsRejectedAsMalformed() throws IOException {
        Path whole = tmp.resolve("whole.safetensors");
        try (TensorScope scope = root().child()) {
            Safetensors.write(whole, Map.of("x", scope.fromArray(new float[] {1, 2, 3}, 3)), Map.of("m", "v"));
        }
        byte[] bytes = Files.readAllBytes(whole);
        for (int length = 0; length < bytes.length; length++) {
            Path cut = write("cut.safetensors", Arrays.copyOf(bytes, length));
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Safetensors.readHeader(cut), "prefix of " + length + " bytes");
            assertTrue(Set.of(Problem.TRUNCATED, Problem.MALFORMED_HEADER, Problem.HEADER_TOO_LARGE).contains(e.problem()), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- checkpoint directories

    @Test
    public final void aCheckpointRoundTripsWithItsIndexAndReplacesThePreviousOne() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "not ours");
        try (TensorScope scope = root().child()) {
            Map<String, Tensor> first = new LinkedHashMap<>();
            first.put("emb.weight", scope.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
            first.put("step", scope.fromArray(new long[] {7}));
            CheckpointIndex saved = Checkpoint.save(dir, first, Map.of("step", "7"));
            assertEquals(1, saved.generation());

            CheckpointIndex index = Checkpoint.readIndex(dir);
            assertEquals(saved, index);
            assertEquals(CheckpointIndex.FORMAT_VERSION, index.formatVersion());
            assertEquals(1, index.worldSize());
            assertEquals(Map.of("step", "7"), index.metadata());
            assertEquals(List.of("emb.weight", "step"), List.copyOf(index.tensors().keySet()));
            CheckpointIndex.TensorEntry emb = index.tensors().get("emb.weight");
            assertEquals(DType.F32, emb.dtype());
            assertEquals(Shape.of(3, 2), emb.shape());
            assertEquals(List.of(0, 0), emb.shards().getFirst().offsets());
            String file = index.files().getFirst().name();
            assertEquals(Files.size(dir.resolve(file)), index.files().getFirst().bytes());
            assertEquals("pt", Safetensors.readHeader(dir.resolve(file)).metadata().get("format"), "Hugging Face loaders expect format=pt");
            String json = Files.readString(dir.resolve(Checkpoint.INDEX_FILE));
            assertTrue(json.contains("\"weight_map\"") && json.contains("\"emb.weight\" : \"" + file + "\""), json);

            Map<String, Tensor> loaded = Checkpoint.load(dir, scope);
            assertEquals(List.of("emb.weight", "step"), List.copyOf(loaded.keySet()));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, loaded.get("emb.weight").toFloatArray());
            assertEquals(Shape.of(3, 2), loaded.get("emb.weight").shape());
            assertArrayEquals(new long[] {7}, loaded.get("step").toLongArray());

            // A crashed save leaves a temporary file and an unreferenced data file; the next save removes both.
            Files.write(dir.resolve(".crossbar-model.safetensors.index.json.123.tmp"), new byte[] {1});
            Files.write(dir.resolve("model-g000002-rank00000-of00001.safetensors"), new byte[] {1});
            CheckpointIndex second = Checkpoint.save(dir, Map.of("emb.weight", scope.fromArray(new float[] {9, 8}, 2)), Map.of("step", "8"));
            assertEquals(3, second.generation(), "a new save never reuses the name of a file it finds");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(Set.of(Checkpoint.INDEX_FILE, second.files().getFirst().name(), "notes.txt"),
                        files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
            }
            Map<String, Tensor> reloaded = Checkpoint.load(dir, scope);
            assertEquals(Set.of("emb.weight"), reloaded.keySet());
            assertArrayEquals(new float[] {9, 8}, reloaded.get("emb.weight").toFloatArray());
            assertEquals(Map.of("step", "8"), Checkpoint.readIndex(dir).metadata());
        }
    }

    @Test
    public final void anIncompleteOrAlteredCheckpointIsReportedNotLoaded() throws IOException {
        Path dir = tmp.resolve("altered");
        Files.createDirectories(dir);
        try (TensorScope scope = root().child()) {
            CheckpointException none = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, scope));
            assertFalse(none instanceof CheckpointFormatException);
            assertTrue(none.getMessage().contains(Checkpoint.INDEX_FILE), none.getMessage());

            CheckpointIndex index = Checkpoint.save(dir, Map.of("w", scope.fromArray(new float[] {1, 2}, 2)), Map.of());
            Path data = dir.resolve(index.files().getFirst().name());
            Files.write(data, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
            CheckpointFormatException grown = assertThrows(CheckpointFormatException.class, () -> Checkpoint.load(dir, scope));
            assertEquals(Problem.INCONSISTENT_INDEX, grown.problem());

            Files.delete(data);
            assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, scope));

            Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"format_version\": 99}");
            CheckpointFormatException newer = assertThrows(CheckpointFormatException.class, () -> Checkpoint.load(dir, scope));
            assertEquals(Problem.INCONSISTENT_INDEX, newer.problem());
            assertTrue(newer.getMessage().contains("99"), newer.getMessage());
            assertEquals(1, scope.size(), "failed loads leave no tensors behind; the one left is the saved w");
        }
    }

    @Test
    public final void trainingContinuesIdenticallyAfterAReload() {
        try (TensorScope scope = root().child()) {
            Module model = mlp(scope, 11);
            Optimizer sgd = new Sgd(model.parameters(), 0.1, 0, false, 0);
            Tensor x = new Generator(3).normal(scope, Shape.of(8, 4), DType.F32, 0, 1);
            Tensor y = scope.fromArray(new long[] {0, 1, 2, 0, 1, 2, 0, 1}, 8);
            for (int step = 0; step < 5; step++) {
                step(model, sgd, x, y);
            }
            Path dir = tmp.resolve("training");
            Checkpoint.save(dir, model.stateDict(), Map.of("step", "5"));
            double[] continued = new double[5];
            for (int step = 0; step < continued.length; step++) {
                continued[step] = step(model, sgd, x, y);
            }

            Module restored = mlp(scope, 12);
            restored.loadStateDict(Checkpoint.load(dir, scope));
            Optimizer restoredSgd = new Sgd(restored.parameters(), 0.1, 0, false, 0);
            double[] resumed = new double[5];
            for (int step = 0; step < resumed.length; step++) {
                resumed[step] = step(restored, restoredSgd, x, y);
            }
            assertArrayEquals(continued, resumed, 0.0, "the reloaded model follows the same losses exactly");
            assertTrue(resumed[4] < resumed[0], "and it trains: " + Arrays.toString(resumed));
        }
    }

    private static Module mlp(TensorScope scope, long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(scope, g, 4, 8, true), Activation.gelu(), new Linear(scope, g, 8, 3, true));
    }

    private static double step(Module model, Optimizer optimizer, Tensor x, Tensor y) {
        try (TensorScope step = x.scope().child()) {
            Tensor loss = Functional.crossEntropy(model.forward(x), y, -100, 0);
            loss.backward();
            optimizer.step();
            optimizer.zeroGrad();
            return loss.item();
        }
    }

    // ---------------------------------------------------------------- crash safety

    /**
     * Kills, with SIGKILL, a process that saves a 64 MB checkpoint to one directory in a loop, at moments spread over a
     * save: while the data file is partly written, right after it is renamed into place, while the index is written,
     * and at fractions of a save's duration. Each time the directory must load as a complete checkpoint, of the last
     * finished save or of the interrupted one, with every element as saved.
     */
    @Test
    public final void aSaveKilledAtAnyMomentLeavesTheLastCompleteCheckpoint() throws Exception {
        int tensors = 4;
        int elements = 4 << 20;
        long dataBytes = (long) tensors * elements * Float.BYTES;
        Path dir = tmp.resolve("crash");
        List<KillPoint> points = List.of(
                new KillPoint("data file 1% written", KillPoint.Kind.DATA_WRITTEN, 0.01),
                new KillPoint("data file 50% written", KillPoint.Kind.DATA_WRITTEN, 0.5),
                new KillPoint("data file 99% written", KillPoint.Kind.DATA_WRITTEN, 0.99),
                new KillPoint("data file renamed, index not yet", KillPoint.Kind.DATA_RENAMED, 0),
                new KillPoint("index being written", KillPoint.Kind.INDEX_WRITTEN, 0),
                new KillPoint("30% of a save's time", KillPoint.Kind.TIME, 0.3),
                new KillPoint("90% of a save's time", KillPoint.Kind.TIME, 0.9));
        int nextIteration = 1;
        int partial = 0;
        int lastComplete = 0;
        List<String> outcomes = new ArrayList<>();
        for (KillPoint point : points) {
            Process child = startWriter(dir, nextIteration, tensors, elements);
            try {
                BlockingQueue<Line> lines = lines(child);
                // A complete save by this process first, so the previous checkpoint is known exactly; timed kills wait
                // for a second one, since the first save of a process is slowed by class loading and compilation.
                Line begin = awaitLine(lines, "BEGIN", child);
                Line saved = awaitLine(lines, "SAVED", child);
                if (point.kind() == KillPoint.Kind.TIME) {
                    begin = awaitLine(lines, "BEGIN", child);
                    saved = awaitLine(lines, "SAVED", child);
                }
                long saveNanos = saved.nanos - begin.nanos;
                String committedFile = dataFiles(dir).iterator().next();
                Line killedBegin = awaitLine(lines, "BEGIN", child);
                awaitKillPoint(point, dir, committedFile, dataBytes, killedBegin.nanos, saveNanos, child);
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer did not die");
                // The writer may have finished that save and begun others before the kill point was reached.
                int[] last = lastLines(lines, killedBegin, saved);
                int inFlight = last[0];
                int lastSaved = last[1];
                nextIteration = inFlight + 1;

                List<String> left = names(dir);
                boolean leftovers = left.size() > 2;
                partial += leftovers ? 1 : 0;
                try (TensorScope scope = root().child()) {
                    Map<String, Tensor> state = Checkpoint.load(dir, scope);
                    int iteration = Integer.parseInt(Checkpoint.readIndex(dir).metadata().get("iteration"));
                    assertTrue(iteration == lastSaved || iteration == inFlight, String.format(Locale.ROOT,
                            "killed at '%s' of save %d after save %d completed, the directory holds save %d", point.name(), inFlight, lastSaved, iteration));
                    lastComplete += iteration == lastSaved ? 1 : 0;
                    outcomes.add(String.format(Locale.ROOT, "%s: loaded save %d (interrupted %d), files left %s", point.name(), iteration, inFlight, left));
                    assertEquals(tensors, state.size());
                    for (int k = 0; k < tensors; k++) {
                        float[] values = state.get("layer" + k + ".weight").toFloatArray();
                        assertEquals(elements, values.length);
                        for (int i = 0; i < values.length; i++) {
                            if (values[i] != CheckpointCrashWriter.expected(iteration, k, i)) {
                                fail(String.format(Locale.ROOT, "save %d, tensor %d, element %d is %s, expected %s", iteration, k, i, values[i],
                                        CheckpointCrashWriter.expected(iteration, k, i)));
                            }
                        }
                    }
                }
            } finally {
                child.destroyForcibly();
            }
        }
        outcomes.forEach(o -> System.out.println("checkpoint crash test: " + o));
        System.out.printf(Locale.ROOT, "checkpoint crash test: %d kills, %d left a partial save behind, %d loaded the last completed save and %d the"
                + " interrupted one, every element intact%n", points.size(), partial, lastComplete, points.size() - lastComplete);
        assertTrue(partial > 0, "no kill landed inside a save, so the test proved nothing: " + outcomes);
    }

    /** A moment of a save at which the writer is killed. */
    private record KillPoint(String name, Kind kind, double fraction) {
        enum Kind {
            /** The data file's temporary file holds {@code fraction} of the data. */
            DATA_WRITTEN,
            /** A data file other than the committed one exists under its final name. */
            DATA_RENAMED,
            /** The index's temporary file exists. */
            INDEX_WRITTEN,
            /** {@code fraction} of the last save's duration has passed since the save began. */
            TIME
        }
    }

    private static void awaitKillPoint(KillPoint point, Path dir, String committedFile, long dataBytes, long beginNanos, long saveNanos, Process child)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && child.isAlive()) {
            switch (point.kind()) {
                case TIME -> {
                    long wait = beginNanos + (long) (saveNanos * point.fraction()) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    return;
                }
                case DATA_WRITTEN -> {
                    for (String name : names(dir)) {
                        if (name.startsWith(".crossbar-model-g") && name.endsWith(".tmp") && sizeOrZero(dir.resolve(name)) >= point.fraction() * dataBytes) {
                            return;
                        }
                    }
                }
                case DATA_RENAMED -> {
                    Set<String> data = dataFiles(dir);
                    data.remove(committedFile);
                    if (!data.isEmpty()) {
                        return;
                    }
                }
                case INDEX_WRITTEN -> {
                    for (String name : names(dir)) {
                        if (name.startsWith(".crossbar-" + Checkpoint.INDEX_FILE)) {
                            return;
                        }
                    }
                }
            }
            Thread.onSpinWait();
        }
        fail("the writer never reached '" + point.name() + "'");
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    private static Set<String> dataFiles(Path dir) throws IOException {
        Set<String> data = new LinkedHashSet<>();
        for (String name : names(dir)) {
            if (name.startsWith("model-g") && name.endsWith(".safetensors")) {
                data.add(name);
            }
        }
        return data;
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (IOException renamedOrDeleted) {
            return 0;
        }
    }

    private record Line(String text, long nanos) {
    }

    private Process startWriter(Path dir, int firstIteration, int tensors, int elements) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        command.addAll(List.of("-cp", childClassPath(), CheckpointCrashWriter.class.getName(),
                provider().getClass().getName(), dir.toString(), Integer.toString(firstIteration), Integer.toString(tensors), Integer.toString(elements)));
        return new ProcessBuilder(command).redirectError(tmp.resolve("writer.err").toFile()).start();
    }

    /** Everything this JVM runs with, module path included, as one class path: the writer needs no module rules. */
    private String childClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(CheckpointCrashWriter.class, provider().getClass(), Tensor.class)) {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            if (source != null) {
                try {
                    entries.add(Path.of(source.getLocation().toURI()).toString());
                } catch (URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isEmpty()) {
                entries.addAll(List.of(value.split(File.pathSeparator)));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static BlockingQueue<Line> lines(Process child) {
        BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(new Line(line, System.nanoTime()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "checkpoint-writer-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private Line awaitLine(BlockingQueue<Line> lines, String prefix, Process child) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Line line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.text.startsWith(prefix + " ")) {
                return line;
            }
            if (line == null && !child.isAlive() && lines.isEmpty()) {
                fail("the checkpoint writer exited with " + child.exitValue() + ": " + Files.readString(tmp.resolve("writer.err")));
            }
        }
        fail("the checkpoint writer printed no '" + prefix + "' line within 60 s: " + Files.readString(tmp.resolve("writer.err")));
        return null;
    }

    /** The numbers of the last save begun and the last save finished, from the lines the writer printed. */
    private static int[] lastLines(BlockingQueue<Line> lines, Line begun, Line saved) throws InterruptedException {
        int[] last = {number(begun), number(saved)};
        Line line;
        while ((line = lines.poll(200, TimeUnit.MILLISECONDS)) != null) {
            last[line.text.startsWith("BEGIN ") ? 0 : 1] = number(line);
        }
        return last;
    }

    private static int number(Line line) {
        return Integer.parseInt(line.text.substring(line.text.indexOf(' ') + 1));
    }

    // ---------------------------------------------------------------- helpers

    /** Values of each type that a lossy path would change: NaN payloads of both signs, -0, infinities, extremes. */
    private static byte[] specialValues(DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(8 * 8).order(ByteOrder.nativeOrder());
        switch (dtype) {
            case F32 -> {
                for (int bits : new int[] {0x7fc00001, 0xffa00000, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x7f7fffff, 0x3f800000}) {
                    b.putInt(bits);
                }
            }
            case F64 -> {
                for (long bits : new long[] {0x7ff8000000000001L, 0xfff4000000000000L, 0x8000000000000000L, 0x7ff0000000000000L,
                        0xfff0000000000000L, 1L, 0x7fefffffffffffffL, 0x3ff0000000000000L}) {
                    b.putLong(bits);
                }
            }
            case F16 -> {
                for (int bits : new int[] {0x7e01, 0xfd00, 0x8000, 0x7c00, 0xfc00, 0x0001, 0x7bff, 0x3c00}) {
                    b.putShort((short) bits);
                }
            }
            case BF16 -> {
                for (int bits : new int[] {0x7fc1, 0xffa0, 0x8000, 0x7f80, 0xff80, 0x0001, 0x7f7f, 0x3f80}) {
                    b.putShort((short) bits);
                }
            }
            case I8 -> b.put(new byte[] {-128, 127, 0, -1, 1, 42, -42, 100});
            case I32 -> {
                for (int v : new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 1, 123456789, -7, 65536}) {
                    b.putInt(v);
                }
            }
            case I64 -> {
                for (long v : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1, 1L << 53, (1L << 53) + 1, -123456789012345L}) {
                    b.putLong(v);
                }
            }
            case BOOL -> b.put(new byte[] {1, 0, 0, 1, 1, 1, 0, 1});
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] repeat(byte[] bytes, int times) {
        byte[] out = new byte[bytes.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(bytes, 0, out, i * bytes.length, bytes.length);
        }
        return out;
    }

    /** The bytes of a tensor, row-major: its own memory on host-memory backends, else the exactly convertible copies. */
    private static byte[] bits(Tensor t) {
        try (Tensor c = t.contiguous()) {
            return c.asSegment().toArray(ValueLayout.JAVA_BYTE);
        } catch (CrossbarException deviceMemory) {
            ByteBuffer b = ByteBuffer.allocate((int) t.size() * t.dtype().byteSize()).order(ByteOrder.nativeOrder());
            switch (t.dtype()) {
                case F32, F16, BF16 -> {
                    for (float v : t.toFloatArray()) {
                        b.putInt(Float.floatToRawIntBits(v));
                    }
                }
                case F64 -> b.asDoubleBuffer().put(t.toDoubleArray());
                case I8, I32 -> b.asIntBuffer().put(t.toIntArray());
                case I64 -> b.asLongBuffer().put(t.toLongArray());
                case BOOL -> {
                    for (boolean v : t.toBooleanArray()) {
                        b.put((byte) (v ? 1 : 0));
                    }
                }
            }
            return b.array();
        }
    }

    private static Object[] bad(String name, byte[] bytes, Problem problem, String tensor) {
        return new Object[] {name, bytes, problem, tensor};
    }

    /** A safetensors file: the header length, the header as given (no padding added), the data. */
    static byte[] file(String header, byte[] data) {
        return prefixed(header.getBytes(StandardCharsets.UTF_8).length, concat(header.getBytes(StandardCharsets.UTF_8), data));
    }

    private static byte[] prefixed(long headerLength, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).put(rest).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, bytes);
        return file;
    }
}
