package com.example.accel.archfixture;

import com.google.inject.Injector;
import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.UnaryKernel;

/** A third-party plugin's kernel that violates the plugin rules by holding a Guice injector. */
@Kernel(op = Op.NEG, dtypes = DType.F32)
public class VendorKernelUsingGuice implements UnaryKernel {
    /** The forbidden dependency. */
    public Injector injector;

    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        throw new UnsupportedOperationException("fixture");
    }
}
