package dev.crossbar.backend.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.DType;
import org.junit.jupiter.api.Test;

/** Which path each setting takes for each element type, with the libraries this machine has (both, here and in CI). */
class MatmulRoutingTest {
    private static final long LARGE = 512L * 512 * 512;

    @Test
    void autoSendsBf16ToOnednnAndLargeF32ToANativeLibrary() {
        assumeTrue(MatmulLibraries.unavailable(MatmulPath.ONEDNN).isEmpty() && MatmulLibraries.unavailable(MatmulPath.OPENBLAS).isEmpty(),
                "UNAVAILABLE: this check needs both OpenBLAS and oneDNN");
        CpuMatmulKernel auto = new CpuMatmulKernel(MatmulPath.AUTO);
        // Mixed-precision training (FSDP's MixedPrecision with BF16 compute) multiplies BF16 tensors: AMX through oneDNN.
        assertEquals(MatmulPath.ONEDNN, auto.route(DType.BF16, LARGE, true));
        assertEquals(MatmulPath.ONEDNN, auto.route(DType.BF16, 8, true));
        // OpenBLAS 0.3.21 runs generic kernels on a CPU it does not recognise; then oneDNN is the faster F32 path.
        assertEquals(MatmulLibraries.openBlasTuned() ? MatmulPath.OPENBLAS : MatmulPath.ONEDNN, auto.route(DType.F32, LARGE, true));
        assertEquals(MatmulPath.JAVA, auto.route(DType.F32, 8, true), "a tiny product is not worth a native call");
        assertEquals(MatmulPath.JAVA, auto.route(DType.F16, LARGE, true));
        assertEquals(MatmulPath.JAVA, auto.route(DType.BF16, LARGE, false), "a layout oneDNN cannot describe stays in Java");
    }

    @Test
    void aForcedPathServesItsTypesAndLeavesTheOthersToJava() {
        assertEquals(MatmulPath.JAVA, new CpuMatmulKernel(MatmulPath.JAVA).route(DType.BF16, LARGE, true));
        assertEquals(MatmulPath.JAVA, new CpuMatmulKernel(MatmulPath.OPENBLAS).route(DType.BF16, LARGE, true));
        assertEquals(MatmulPath.JAVA, new CpuMatmulKernel(MatmulPath.ONEDNN).route(DType.F16, LARGE, true));
        if (MatmulLibraries.unavailable(MatmulPath.OPENBLAS).isEmpty()) {
            assertEquals(MatmulPath.OPENBLAS, new CpuMatmulKernel(MatmulPath.OPENBLAS).route(DType.F32, 8, true), "forcing applies to tiny products too");
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new CpuMatmulKernel(MatmulPath.OPENBLAS).route(DType.F32, 8, true));
            assertTrue(e.getMessage().contains(MatmulPath.PROPERTY + "=openblas"), e.getMessage());
        }
    }

    @Test
    void theSettingParsesInAnyCaseAndNamesTheChoicesWhenWrong() {
        assertEquals(MatmulPath.ONEDNN, MatmulPath.parse(" OneDNN "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatmulPath.parse("mkl"));
        assertTrue(e.getMessage().contains("auto, java, openblas, onednn") && e.getMessage().contains("'mkl'"), e.getMessage());
    }
}
