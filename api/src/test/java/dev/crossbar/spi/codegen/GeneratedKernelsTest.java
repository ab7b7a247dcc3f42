package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.kernel.OpKernel;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The shared kernels declare exactly the cells the generator serves, and dot_general for the types the generated
 * matmul kernel serves: every type dot_general admits (floating types through the vendor BLAS where it is installed).
 */
class GeneratedKernelsTest {
    @Test
    void declareEveryCellTheGeneratorServesAndDotGeneral() {
        List<Class<? extends OpKernel>> classes = Arrays.stream(GeneratedKernels.class.getDeclaredClasses())
                .<Class<? extends OpKernel>>map(c -> c.asSubclass(OpKernel.class)).toList();
        Set<Cell> declared = Capabilities.declaredBy(ExecutionMode.EAGER, classes).cells();

        Set<Cell> generated = new TreeSet<>();
        for (Op op : Op.values()) {
            for (DType dtype : op.admitted()) {
                if (KernelGenerator.supports(op, dtype) || op == Op.DOT_GENERAL) {
                    generated.add(new Cell(op, dtype));
                }
            }
        }
        assertEquals(generated, new TreeSet<>(declared));
        assertEquals(16, classes.size(), "one class per kernel interface");
    }
}
