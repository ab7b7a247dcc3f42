package dev.crossbar.backend.archfixture.kernels.indirect;

import dev.crossbar.backend.archfixture.shared.SharedKernelsProvider;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedOps;
import dev.crossbar.spi.codegen.StreamBackend;

/**
 * Violates providersShouldDeclareExactlyTheCellsOfTheirKernelClasses: claims the cells of the SPI's generated unary
 * kernel (as {@link SharedKernelsProvider}, whose code in another package creates it), but its own code only calls code
 * of the SPI's shared package that creates no kernel (the generated ops, the device opener).
 */
public class SharedCodeWithoutKernelsProvider extends SharedKernelsProvider {
    @Override
    public Backend create(BackendContext context) {
        new GeneratedOps(Dialect.CUDA, "indirect");
        StreamBackend.openDevices(0, i -> {
            throw new UnsupportedOperationException("fixture");
        });
        throw new UnsupportedOperationException("fixture");
    }
}
