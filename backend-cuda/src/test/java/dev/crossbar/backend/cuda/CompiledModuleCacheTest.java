package dev.crossbar.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelGenerator;
import java.io.IOException;
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
    private final Function<GeneratedKernel, String> compiler = kernel -> {
        compiled.add(kernel.entryPoint());
        return "// PTX of " + kernel.entryPoint() + "\n.entry " + kernel.entryPoint() + "()";
    };
    private final GeneratedKernel add = new KernelGenerator(Dialect.CUDA).binary(Op.ADD, DType.F32);

    @Test
    void compilesOnceAndServesLaterRequestsAndLaterJvmsFromDisk() throws IOException {
        CompiledModuleCache first = new CompiledModuleCache(directory, "compute_90", compiler);
        String ptx = first.ptx(add);
        assertEquals(ptx, first.ptx(add));

        CompiledModuleCache restarted = new CompiledModuleCache(directory, "compute_90", compiler);
        assertEquals(ptx, restarted.ptx(add));

        assertEquals(List.of("cb_add_f32"), compiled);
        assertEquals(1, first.compilations());
        assertEquals(1, first.hits());
        assertEquals(1, restarted.hits());
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(List.of(add.sha256() + "-compute_90.ptx"), files.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        }
    }

    @Test
    void theArchitectureIsPartOfTheKey() {
        new CompiledModuleCache(directory, "compute_80", compiler).ptx(add);
        new CompiledModuleCache(directory, "compute_90", compiler).ptx(add);

        assertEquals(List.of("cb_add_f32", "cb_add_f32"), compiled);
        assertTrue(Files.exists(directory.resolve(add.sha256() + "-compute_80.ptx")));
    }

    @Test
    void createsAMissingDirectory() {
        Path nested = directory.resolve("a").resolve("b");

        new CompiledModuleCache(nested, "compute_90", compiler).ptx(add);

        assertTrue(Files.exists(nested.resolve(add.sha256() + "-compute_90.ptx")));
    }
}
