package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.spi.kernel.FusedKernel;
import dev.crossbar.spi.kernel.OpKernel;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The cpu backend's kernel classes: the single list from which both its capabilities and its kernel set are built.
 */
public final class CpuKernels {
    /** Every kernel class; each declares its cells with {@link dev.crossbar.spi.Kernel} annotations. */
    public static final List<Class<? extends OpKernel>> CLASSES = List.of(
            CpuFillKernel.class,
            CpuIotaKernel.class,
            CpuRngKernel.class,
            CpuUnaryKernel.class,
            CpuBinaryKernel.class,
            CpuCompareKernel.class,
            CpuSelectKernel.class,
            CpuCastKernel.class,
            CpuReduceKernel.class,
            CpuArgReduceKernel.class,
            CpuMatmulKernel.class,
            CpuCopyKernel.class,
            CpuConcatKernel.class,
            CpuPadKernel.class,
            CpuGatherKernel.class,
            CpuScatterAddKernel.class);

    /** The fused kernels, found by the API through {@link dev.crossbar.spi.KernelSet#fused}; not matrix cells. */
    public static final List<Class<? extends FusedKernel>> FUSED_CLASSES = List.of(
            CpuSoftmaxKernel.class,
            CpuAdamWKernel.class,
            CpuGeluKernel.class,
            CpuLayerNormKernel.class);

    private CpuKernels() {
    }

    /**
     * Creates one instance of each class in {@link #CLASSES}; kernels are stateless, so instances may be shared.
     *
     * @param matmulPath the matrix-product path the matmul kernel takes
     * @return the instances, in the order of {@link #CLASSES}
     */
    public static List<OpKernel> instantiate(MatmulPath matmulPath) {
        return instantiate(CLASSES, type -> type == CpuMatmulKernel.class ? new CpuMatmulKernel(matmulPath) : null);
    }

    /**
     * Creates one instance of each class in {@link #FUSED_CLASSES}.
     *
     * @return the instances, in the order of {@link #FUSED_CLASSES}
     */
    public static List<FusedKernel> instantiateFused() {
        return instantiate(FUSED_CLASSES, type -> null);
    }

    /** Creates the kernels: {@code configured}'s instance where it gives one, else one made by the no-argument constructor. */
    private static <K> List<K> instantiate(List<Class<? extends K>> classes, Function<Class<? extends K>, K> configured) {
        List<K> kernels = new ArrayList<>(classes.size());
        for (Class<? extends K> type : classes) {
            K kernel = configured.apply(type);
            if (kernel != null) {
                kernels.add(kernel);
                continue;
            }
            try {
                kernels.add(type.getDeclaredConstructor().newInstance());
            } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("Kernel class " + type.getName() + " needs a no-argument constructor that does not throw", e);
            }
        }
        return List.copyOf(kernels);
    }
}
