package dev.crossbar.backend.archfixture.kernels.indirect;

import dev.crossbar.backend.archfixture.clean.CleanProvider;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernels;
import dev.crossbar.spi.codegen.GeneratedOps;
import dev.crossbar.spi.codegen.StreamBackend;
import java.util.List;

/**
 * Violates providersShouldDeclareExactlyTheCellsOfTheirKernelClasses: calls code of the SPI's shared package that
 * creates no kernel (the generated ops, the device opener) and claims the cells of the generated unary kernel.
 */
public class SharedCodeWithoutKernelsProvider extends CleanProvider {
    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, List.of(GeneratedKernels.Unary.class));
    }

    @Override
    public Backend create(BackendContext context) {
        new GeneratedOps(Dialect.CUDA, "indirect");
        StreamBackend.openDevices(0, i -> {
            throw new UnsupportedOperationException("fixture");
        });
        throw new UnsupportedOperationException("fixture");
    }
}
