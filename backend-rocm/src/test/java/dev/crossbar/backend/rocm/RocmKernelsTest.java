package dev.crossbar.backend.rocm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.codegen.KernelGenerator;
import org.junit.jupiter.api.Test;

class RocmKernelsTest {
    @Test
    void declaresEveryCell() {
        Capabilities capabilities = Capabilities.declaredBy(ExecutionMode.EAGER, RocmKernels.classes());

        for (Cell cell : capabilities.cells()) {
            assertTrue(cell.op() == Op.DOT_GENERAL || KernelGenerator.supports(cell.op(), cell.dtype()), cell + " has no generated kernel");
        }
        long generated = capabilities.cells().stream().filter(c -> c.op() != Op.DOT_GENERAL).count();
        long generatable = java.util.Arrays.stream(Op.values()).mapToLong(op -> op.admitted().stream().filter(d -> KernelGenerator.supports(op, d)).count()).sum();
        assertEquals(generatable, generated, "every cell the generator serves is declared");
        assertTrue(capabilities.supports(Op.DOT_GENERAL, DType.BF16));
        assertTrue(capabilities.supports(Op.DOT_GENERAL, DType.I64), "integer products run the generated matmul");
        assertEquals(288, capabilities.cells().size());
    }
}
