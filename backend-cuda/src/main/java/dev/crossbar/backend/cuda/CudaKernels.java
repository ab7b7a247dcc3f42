package dev.crossbar.backend.cuda;

import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernels;
import dev.crossbar.spi.codegen.GeneratedOps;
import dev.crossbar.spi.kernel.OpKernel;
import java.util.List;

/**
 * The CUDA kernels: every op runs a kernel of {@link dev.crossbar.spi.codegen.KernelGenerator} in the CUDA dialect
 * through {@link GeneratedOps}, compiled by NVRTC for the device and launched on its stream, except floating
 * dot_general, which runs cuBLAS ({@link GeneratedKernels.Matmul} over {@link CudaDevice#gemm()}). The cells are the
 * {@link dev.crossbar.spi.Kernel} annotations of {@link GeneratedKernels}.
 */
final class CudaKernels {
    private static final GeneratedOps OPS = new GeneratedOps(Dialect.CUDA, CudaBackendProvider.NAME);

    private CudaKernels() {
    }

    /** One instance of each kernel class, for {@link dev.crossbar.spi.KernelSet#of}. */
    static List<OpKernel> instances() {
        return List.of(new GeneratedKernels.Fill(OPS), new GeneratedKernels.Iota(OPS), new GeneratedKernels.Random(OPS), new GeneratedKernels.Unary(OPS),
                new GeneratedKernels.Binary(OPS), new GeneratedKernels.Compare(OPS), new GeneratedKernels.Select(OPS), new GeneratedKernels.Cast(OPS),
                new GeneratedKernels.Reduce(OPS), new GeneratedKernels.ArgMax(OPS), new GeneratedKernels.Copy(OPS), new GeneratedKernels.Concat(OPS),
                new GeneratedKernels.Pad(OPS), new GeneratedKernels.Gather(OPS), new GeneratedKernels.ScatterAdd(OPS), new GeneratedKernels.Matmul(OPS));
    }

    /** The kernel classes, for {@link dev.crossbar.spi.Capabilities#declaredBy} without a device. */
    static List<Class<? extends OpKernel>> classes() {
        return instances().stream().<Class<? extends OpKernel>>map(OpKernel::getClass).toList();
    }
}
