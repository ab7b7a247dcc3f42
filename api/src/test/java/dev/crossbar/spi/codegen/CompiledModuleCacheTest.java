package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.spi.Op;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompiledModuleCacheTest {
    @TempDir
    Path directory;

    private final List<String> compiled = new ArrayList<>();
    private final Function<GeneratedKernel, byte[]> compiler = kernel -> {
        compiled.add(kernel.entryPoint());
        return ("module of " + kernel.entryPoint()).getBytes(StandardCharsets.UTF_8);
    };
    private final GeneratedKernel add = new KernelGenerator(Dialect.HIP).binary(Op.ADD, DType.F32);

    private CompiledModuleCache cache(Path where, String architecture) {
        return new CompiledModuleCache(where, architecture, "co", "crossbar.test.cache", compiler);
    }

    @Test
    void compilesOnceAndServesLaterRequestsAndLaterJvmsFromDisk() throws IOException {
        byte[] module = cache(directory, "gfx90a:sramecc+:xnack-").module(add);
        CompiledModuleCache first = cache(directory, "gfx90a:sramecc+:xnack-");
        assertArrayEquals(module, first.module(add));
        assertArrayEquals("module of cb_add_f32".getBytes(StandardCharsets.UTF_8), module);

        assertEquals(List.of("cb_add_f32"), compiled, "the second cache, as a later JVM, reads the file");
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(List.of(add.sha256() + "-gfx90a_sramecc+_xnack-.co"), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary file is left");
        }
    }

    @Test
    void theArchitectureIsPartOfTheKey() {
        cache(directory, "gfx908").module(add);
        cache(directory, "gfx90a:sramecc+:xnack-").module(add);

        assertEquals(List.of("cb_add_f32", "cb_add_f32"), compiled);
        assertTrue(Files.exists(directory.resolve(add.sha256() + "-gfx908.co")));
    }

    @Test
    void createsAMissingDirectory() {
        Path nested = directory.resolve("a").resolve("b");

        cache(nested, "compute_90").module(add);

        assertTrue(Files.exists(nested.resolve(add.sha256() + "-compute_90.co")));
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsAnErrorNamingTheFileAndTheProperty() throws IOException {
        Path blocker = Files.writeString(directory.resolve("a-file"), "not a directory");

        CrossbarException e = assertThrows(CrossbarException.class, () -> cache(blocker.resolve("cache"), "compute_90").module(add));

        assertTrue(e.getMessage().contains(add.sha256() + "-compute_90.co") && e.getMessage().contains("crossbar.test.cache"), e.getMessage());
    }
}
