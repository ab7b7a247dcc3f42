package dev.crossbar.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Op;
import org.junit.jupiter.api.Test;

/** The shared generated kernels (checked against the generator in api's GeneratedKernelsTest) and dot_general serve every cell. */
class CudaKernelsTest {
    @Test
    void declaresEveryCell() {
        Capabilities capabilities = Capabilities.declaredBy(ExecutionMode.EAGER, CudaKernels.classes());

        assertTrue(capabilities.supports(Op.DOT_GENERAL, DType.BF16));
        assertTrue(capabilities.supports(Op.DOT_GENERAL, DType.I64), "integer products run the generated matmul");
        assertEquals(288, capabilities.cells().size());
    }
}
