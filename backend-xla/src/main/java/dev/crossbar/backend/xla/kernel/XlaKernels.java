package dev.crossbar.backend.xla.kernel;

import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.spi.kernel.OpKernel;
import java.util.List;

/** The xla backend's kernels; each records graph nodes instead of computing. */
public final class XlaKernels {
    private XlaKernels() {
    }

    /**
     * Returns the kernel classes, for the provider's capabilities.
     *
     * @return the classes
     */
    public static List<Class<? extends OpKernel>> classes() {
        return List.of(XlaFillKernel.class, XlaIotaKernel.class, XlaRngKernel.class, XlaUnaryKernel.class, XlaBinaryKernel.class, XlaCompareKernel.class,
                XlaSelectKernel.class, XlaCastKernel.class, XlaReduceKernel.class, XlaArgReduceKernel.class, XlaMatmulKernel.class, XlaCopyKernel.class,
                XlaConcatKernel.class, XlaPadKernel.class, XlaGatherKernel.class, XlaScatterAddKernel.class);
    }

    /**
     * Creates one instance of each kernel, recording into an engine.
     *
     * @param engine the engine
     * @return the kernels, in the order of {@link #classes()}
     */
    public static List<OpKernel> create(LazyEngine engine) {
        return List.of(new XlaFillKernel(engine), new XlaIotaKernel(engine), new XlaRngKernel(engine), new XlaUnaryKernel(engine), new XlaBinaryKernel(engine),
                new XlaCompareKernel(engine), new XlaSelectKernel(engine), new XlaCastKernel(engine), new XlaReduceKernel(engine), new XlaArgReduceKernel(engine),
                new XlaMatmulKernel(engine), new XlaCopyKernel(engine), new XlaConcatKernel(engine), new XlaPadKernel(engine), new XlaGatherKernel(engine),
                new XlaScatterAddKernel(engine));
    }
}
