package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.backend.xla.pjrt.CompileOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeuronCompileCacheTest {
    private static final byte[] PROGRAM = "module @m { func.func public @main() { return } }".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OPTIONS = CompileOptions.SINGLE_DEVICE.toProto();

    @TempDir
    Path folder;

    @Test
    void storesAndFindsACompiledProgramAndCountsHitsAndMisses() {
        NeuronCompileCache cache = new NeuronCompileCache(folder.resolve("neuron"));
        NeuronCompileCache.Key key = NeuronCompileCache.key(PROGRAM, OPTIONS, "pjrt 0.54, xla 2", List.of("--lnc=2", "--auto-cast=none"));
        byte[] executable = {1, 2, 3, 4, 5};

        assertEquals(Optional.empty(), cache.get(key));
        cache.put(key, executable);
        byte[] found = cache.get(key).orElseThrow();

        assertArrayEquals(executable, found);
        // Another process reading the same folder sees the counts and the entry.
        NeuronCompileCache.Stats stats = new NeuronCompileCache(folder.resolve("neuron")).stats();
        assertEquals(1, stats.entries());
        assertEquals(1, stats.hits());
        assertEquals(1, stats.misses());
        assertTrue(new NeuronCompileCache(folder.resolve("neuron")).describe().endsWith(": 1 entries (0.0 MB), 1 hits, 1 misses"),
                cache.describe());
    }

    @Test
    void theKeyChangesWithTheProgramItsOptionsThePluginVersionAndTheFlags() {
        NeuronCompileCache.Key base = NeuronCompileCache.key(PROGRAM, OPTIONS, "0.54", List.of("-O2", "--lnc=2"));

        assertEquals(base, NeuronCompileCache.key(PROGRAM.clone(), OPTIONS, "0.54", List.of("-O2", "--lnc=2")));
        assertNotEquals(base, NeuronCompileCache.key("module @other {}".getBytes(StandardCharsets.UTF_8), OPTIONS, "0.54", List.of("-O2", "--lnc=2")));
        assertNotEquals(base, NeuronCompileCache.key(PROGRAM, new CompileOptions(2, 1).toProto(), "0.54", List.of("-O2", "--lnc=2")));
        assertNotEquals(base, NeuronCompileCache.key(PROGRAM, OPTIONS, "0.55", List.of("-O2", "--lnc=2")));
        assertNotEquals(base, NeuronCompileCache.key(PROGRAM, OPTIONS, "0.54", List.of("--lnc=2", "-O2")));
        assertNotEquals(NeuronCompileCache.key(PROGRAM, OPTIONS, "0.54", List.of("ab", "c")), NeuronCompileCache.key(PROGRAM, OPTIONS, "0.54", List.of("a", "bc")));
        assertEquals(64, base.hex().length());
    }

    @Test
    void aDamagedEntryIsAMissAndIsRemoved() throws IOException {
        NeuronCompileCache cache = new NeuronCompileCache(folder);
        NeuronCompileCache.Key key = NeuronCompileCache.key(PROGRAM, OPTIONS, "0.54", List.of());
        cache.put(key, new byte[] {9, 9, 9});
        Path entry = folder.resolve(key.hex() + ".executable");
        byte[] stored = Files.readAllBytes(entry);
        stored[stored.length - 1] ^= 1;
        Files.write(entry, stored);

        assertEquals(Optional.empty(), cache.get(key));
        assertTrue(Files.notExists(entry));
        assertEquals(1, cache.stats().misses());
    }

    @Test
    void writesLeaveNoTemporaryFilesAndReplaceTheEntry() throws IOException {
        NeuronCompileCache cache = new NeuronCompileCache(folder);
        NeuronCompileCache.Key key = NeuronCompileCache.key(PROGRAM, OPTIONS, "0.54", List.of());

        cache.put(key, new byte[] {1});
        cache.put(key, new byte[] {2, 2});

        assertArrayEquals(new byte[] {2, 2}, cache.get(key).orElseThrow());
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(key.hex() + ".executable", "stats.lock", "stats.properties"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void anAbsentFolderIsAnEmptyCache() {
        assertEquals(new NeuronCompileCache.Stats(0, 0, 0, 0), new NeuronCompileCache(folder.resolve("never-written")).stats());
        assertEquals(Path.of("/data/neuron-cache"), NeuronCompileCache.defaultFolder(Optional.of("/data/neuron-cache")));
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "crossbar", "neuron"), NeuronCompileCache.defaultFolder(Optional.empty()));
    }
}
