package dev.crossbar.backend.archfixture.shared;

import dev.crossbar.backend.archfixture.clean.CleanProvider;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernels;
import dev.crossbar.spi.codegen.GeneratedOps;
import java.util.List;

/**
 * Follows providersShouldDeclareExactlyTheCellsOfTheirKernelClasses with a shared kernel: its code creates the SPI's
 * generated unary kernel, and it declares that kernel's cells.
 */
public class SharedKernelsProvider extends CleanProvider {
    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, List.of(GeneratedKernels.Unary.class));
    }

    @Override
    public Backend create(BackendContext context) {
        new GeneratedKernels.Unary(new GeneratedOps(Dialect.CUDA, "shared"));
        throw new UnsupportedOperationException("fixture");
    }
}
