package dev.crossbar.backend.archfixture.kernels.iface;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.kernel.UnaryKernel;

/** Violates kernelClassesShouldBeInstantiable: an interface declares a cell. */
@Kernel(op = Op.NEG, dtypes = DType.F32)
public interface NegKernelInterface extends UnaryKernel {
}
