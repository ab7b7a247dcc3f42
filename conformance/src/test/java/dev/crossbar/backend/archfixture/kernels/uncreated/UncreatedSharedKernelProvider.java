package dev.crossbar.backend.archfixture.kernels.uncreated;

import dev.crossbar.backend.archfixture.clean.CleanProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.codegen.GeneratedKernels;
import java.util.List;

/**
 * Violates providersShouldDeclareExactlyTheCellsOfTheirKernelClasses: claims the cells of the SPI's generated unary
 * kernel, which its code never creates.
 */
public class UncreatedSharedKernelProvider extends CleanProvider {
    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, List.of(GeneratedKernels.Unary.class));
    }
}
