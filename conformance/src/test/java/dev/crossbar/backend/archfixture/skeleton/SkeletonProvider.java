package dev.crossbar.backend.archfixture.skeleton;

import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GpuBackendProvider;
import dev.crossbar.spi.codegen.GpuBlas;
import dev.crossbar.spi.codegen.GpuRuntime;
import dev.crossbar.spi.codegen.KernelCompiler;
import dev.crossbar.spi.ffi.NcclApi;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Follows providersShouldDeclareExactlyTheCellsOfTheirKernelClasses through the SPI's GPU backend skeleton: its own
 * code creates no kernel, the skeleton it extends creates every shared generated kernel, and it declares their cells.
 */
public class SkeletonProvider extends GpuBackendProvider {
    /** Configures the skeleton. */
    public SkeletonProvider() {
        super(new Vendor("skeleton", 0, Dialect.CUDA, "skeleton.runtime", "skeletonGetDeviceCount"));
    }

    @Override
    protected GpuRuntime openRuntime() {
        throw new UnsupportedOperationException("fixture");
    }

    @Override
    protected KernelCompiler openCompiler() {
        throw new UnsupportedOperationException("fixture");
    }

    @Override
    protected GpuBlas openBlas() {
        throw new UnsupportedOperationException("fixture");
    }

    @Override
    protected NcclApi openCollectives() {
        throw new UnsupportedOperationException("fixture");
    }

    @Override
    protected Map<String, Supplier<String>> optionalLibraryVersions() {
        return Map.of();
    }
}
