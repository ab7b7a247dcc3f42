package dev.crossbar.backend.rocm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelGenerator;
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
        return ("code object of " + kernel.entryPoint()).getBytes(StandardCharsets.UTF_8);
    };
    private final GeneratedKernel add = new KernelGenerator(Dialect.HIP).binary(Op.ADD, DType.F32);

    @Test
    void compilesOnceAndServesLaterRequestsAndLaterJvmsFromDisk() throws IOException {
        CompiledModuleCache first = new CompiledModuleCache(directory, "gfx90a:sramecc+:xnack-", compiler);
        byte[] code = first.codeObject(add);
        assertArrayEquals(code, first.codeObject(add));

        CompiledModuleCache restarted = new CompiledModuleCache(directory, "gfx90a:sramecc+:xnack-", compiler);
        assertArrayEquals(code, restarted.codeObject(add));

        assertEquals(List.of("cb_add_f32"), compiled);
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(List.of(add.sha256() + "-gfx90a_sramecc+_xnack-.co"), files.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        }
    }

    @Test
    void theProcessorIsPartOfTheKey() {
        new CompiledModuleCache(directory, "gfx908", compiler).codeObject(add);
        new CompiledModuleCache(directory, "gfx90a:sramecc+:xnack-", compiler).codeObject(add);

        assertEquals(List.of("cb_add_f32", "cb_add_f32"), compiled);
        assertTrue(Files.exists(directory.resolve(add.sha256() + "-gfx908.co")));
    }

    @Test
    void createsAMissingDirectory() {
        Path nested = directory.resolve("a").resolve("b");

        new CompiledModuleCache(nested, "gfx90a:sramecc+:xnack-", compiler).codeObject(add);

        assertTrue(Files.exists(nested.resolve(add.sha256() + "-gfx90a_sramecc+_xnack-.co")));
    }
}
