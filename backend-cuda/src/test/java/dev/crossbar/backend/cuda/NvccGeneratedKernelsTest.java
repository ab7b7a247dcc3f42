package dev.crossbar.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelGenerator;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every generated CUDA kernel compiles to PTX with nvcc for sm_80 and sm_90, and ptxas assembles each PTX into a cubin
 * for its architecture, as the driver's JIT would on an A100 or an H100. Kernels share translation units in batches
 * (the prelude is include-guarded) and the jobs run in parallel: per batch of 40 kernels nvcc takes about 1.6 s and
 * ptxas about 2.2 s for each architecture, about 35 s in all on two idle cores.
 */
class NvccGeneratedKernelsTest {
    private static final List<String> ARCHITECTURES = List.of("sm_80", "sm_90");
    private static final int KERNELS_PER_UNIT = 40;

    @TempDir
    Path work;

    @Test
    void everyGeneratedKernelCompilesWithNvccAndPtxas() throws Exception {
        Optional<Path> nvcc = onPath("nvcc");
        Optional<Path> ptxas = onPath("ptxas");
        assumeTrue(nvcc.isPresent() && ptxas.isPresent(),
                "nvcc and ptxas are not both on PATH, so the generated CUDA kernels are not compiled; install the CUDA toolkit");
        List<GeneratedKernel> kernels = new KernelGenerator(Dialect.CUDA).allKernels();
        List<Callable> jobs = new ArrayList<>();
        for (int from = 0; from < kernels.size(); from += KERNELS_PER_UNIT) {
            List<GeneratedKernel> batch = kernels.subList(from, Math.min(kernels.size(), from + KERNELS_PER_UNIT));
            Path unit = work.resolve("kernels_" + from + ".cu");
            Files.writeString(unit, batch.stream().map(GeneratedKernel::source).collect(Collectors.joining("\n")));
            for (String architecture : ARCHITECTURES) {
                jobs.add(() -> compile(nvcc.get(), ptxas.get(), unit, architecture, batch));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try {
            int compiled = 0;
            for (Future<Integer> result : pool.invokeAll(jobs.stream().map(job -> (java.util.concurrent.Callable<Integer>) job::call).toList())) {
                compiled += result.get();
            }
            assertEquals(kernels.size() * ARCHITECTURES.size(), compiled);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A compile job; a named interface so the lambdas above may throw. */
    private interface Callable {
        int call() throws IOException, InterruptedException;
    }

    private int compile(Path nvcc, Path ptxas, Path unit, String architecture, List<GeneratedKernel> batch) throws IOException, InterruptedException {
        Path ptx = Path.of(unit.toString().replace(".cu", "_" + architecture + ".ptx"));
        run(List.of(nvcc.toString(), "-ptx", "-arch=" + architecture, unit.toString(), "-o", ptx.toString()));
        String assembly = Files.readString(ptx);
        for (GeneratedKernel kernel : batch) {
            assertTrue(assembly.contains(".entry " + kernel.entryPoint() + "("), "the PTX of " + unit.getFileName() + " lacks " + kernel.entryPoint());
        }
        Path cubin = Path.of(ptx + ".cubin");
        run(List.of(ptxas.toString(), "-arch=" + architecture, ptx.toString(), "-o", cubin.toString()));
        assertTrue(Files.size(cubin) > 0, "ptxas wrote an empty cubin for " + unit.getFileName() + " on " + architecture);
        return batch.size();
    }

    /** Runs a tool and fails with its output if it exits non-zero or prints anything, which for nvcc means a warning. */
    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        assertEquals(0, exit, String.join(" ", command) + " failed:\n" + output);
        assertEquals("", output.strip(), String.join(" ", command) + " printed diagnostics");
    }

    private static Optional<Path> onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty())
                .map(directory -> Path.of(directory, tool))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
