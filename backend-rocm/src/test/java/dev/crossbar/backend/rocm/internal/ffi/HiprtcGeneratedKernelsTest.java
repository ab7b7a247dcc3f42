package dev.crossbar.backend.rocm.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelGenerator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every generated HIP kernel compiles with hiprtc for gfx90a, in process, through {@link NativeHiprtc}; kernels are
 * compiled in batches that share one translation unit, since the prelude is include-guarded.
 */
class HiprtcGeneratedKernelsTest {
    private static final List<String> GFX90A = List.of("--offload-arch=gfx90a");
    private static final int KERNELS_PER_PROGRAM = 48;

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
    void everyGeneratedKernelCompilesForGfx90a() {
        List<GeneratedKernel> kernels = new KernelGenerator(Dialect.HIP).allKernels();
        int compiled = 0;
        for (int from = 0; from < kernels.size(); from += KERNELS_PER_PROGRAM) {
            List<GeneratedKernel> batch = kernels.subList(from, Math.min(kernels.size(), from + KERNELS_PER_PROGRAM));
            String source = batch.stream().map(GeneratedKernel::source).collect(Collectors.joining("\n"));
            byte[] code = hiprtc.compile(source, "crossbar_kernels_" + from + ".hip", GFX90A);
            assertTrue(code.length > 0, "hiprtc returned no code for " + batch.getFirst().name() + " to " + batch.getLast().name());
            for (GeneratedKernel kernel : batch) {
                assertTrue(containsSymbol(code, kernel.entryPoint()), "the code object lacks " + kernel.entryPoint());
            }
            compiled += batch.size();
        }
        assertEquals(kernels.size(), compiled);
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
