package dev.crossbar.backend.rocm.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.spi.Op;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelGenerator;
import dev.crossbar.spi.ffi.LibraryUnavailableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every generated HIP kernel, the matmul fallback included, compiles with hiprtc for gfx90a (MI200) and gfx908 (MI100), in process, through
 * {@link NativeHiprtc}, and the code object is an AMDGPU ELF for that processor. Kernels are compiled in batches that
 * share one translation unit, since the prelude is include-guarded; hiprtc takes one {@code --offload-arch} per
 * program (two fail with "cannot specify -o when generating multiple output files"), so each batch compiles once
 * per architecture, two programs at a time (about 3.3 s per program of 48 kernels, 10 s for four on two cores).
 */
class HiprtcGeneratedKernelsTest {
    private static final List<String> GFX90A = List.of("--offload-arch=gfx90a");
    // EF_AMDGPU_MACH values of the LLVM AMDGPU ELF ABI, in the low byte of e_flags.
    private static final Map<String, Integer> ELF_MACHINES = Map.of("gfx90a", 0x3f, "gfx908", 0x30);
    private static final int KERNELS_PER_PROGRAM = 48;
    private static final int E_FLAGS_OFFSET = 0x30;

    private static NativeHiprtc hiprtc;

    @BeforeAll
    static void openHiprtc() {
        try {
            hiprtc = NativeHiprtc.open();
        } catch (LibraryUnavailableException e) {
            assumeTrue(false, "hiprtc is not available, so the generated HIP kernels are not compiled: " + e.getMessage());
        }
    }

    @Test
    void everyGeneratedKernelCompilesForGfx90aAndGfx908() throws Exception {
        KernelGenerator generator = new KernelGenerator(Dialect.HIP);
        List<GeneratedKernel> kernels = new ArrayList<>(generator.allKernels());
        Op.DOT_GENERAL.admitted().stream().sorted().map(generator::matmul).forEach(kernels::add);
        List<Callable<Integer>> jobs = new ArrayList<>();
        for (int from = 0; from < kernels.size(); from += KERNELS_PER_PROGRAM) {
            List<GeneratedKernel> batch = kernels.subList(from, Math.min(kernels.size(), from + KERNELS_PER_PROGRAM));
            String source = batch.stream().map(GeneratedKernel::source).collect(Collectors.joining("\n"));
            String program = "crossbar_kernels_" + from + ".hip";
            for (String architecture : ELF_MACHINES.keySet()) {
                jobs.add(() -> compile(source, program, architecture, batch));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            int compiled = 0;
            for (Future<Integer> result : pool.invokeAll(jobs)) {
                compiled += result.get();
            }
            assertEquals(kernels.size() * ELF_MACHINES.size(), compiled);
        } finally {
            pool.shutdownNow();
        }
    }

    private static int compile(String source, String program, String architecture, List<GeneratedKernel> batch) {
        byte[] code = hiprtc.compile(source, program, List.of("--offload-arch=" + architecture));
        assertTrue(code.length > E_FLAGS_OFFSET + 4 && code[0] == 0x7f && code[1] == 'E' && code[2] == 'L' && code[3] == 'F',
                "hiprtc returned no ELF code object for " + program + " on " + architecture);
        int machine = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN).getInt(E_FLAGS_OFFSET) & 0xff;
        assertEquals(ELF_MACHINES.get(architecture), machine, "EF_AMDGPU_MACH of " + program + " compiled for " + architecture);
        for (GeneratedKernel kernel : batch) {
            assertTrue(containsSymbol(code, kernel.entryPoint()), "the " + architecture + " code object lacks " + kernel.entryPoint());
        }
        return batch.size();
    }

    @Test
    void aCompilationErrorCarriesItsNameAndLog() {
        HiprtcException error = assertThrows(HiprtcException.class,
                () -> hiprtc.compile("extern \"C\" __global__ void broken() { undeclared = 1; }", "broken.hip", GFX90A));
        assertEquals("HIPRTC_ERROR_COMPILATION", error.name());
        assertTrue(error.log().contains("undeclared"), error.log());
        assertTrue(error.getMessage().startsWith("hiprtcCompileProgram returned HIPRTC_ERROR_COMPILATION (6)"), error.getMessage());
    }

    private static boolean containsSymbol(byte[] code, String symbol) {
        byte[] needle = symbol.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= code.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (code[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
