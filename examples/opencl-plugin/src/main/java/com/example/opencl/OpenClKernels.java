package com.example.opencl;

import dev.crossbar.spi.kernel.OpKernel;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;

/** The backend's kernel classes: the single list from which both its capabilities and its kernel set are built. */
final class OpenClKernels {
    /** Every kernel class; each declares its cells with {@link dev.crossbar.spi.Kernel} annotations. */
    static final List<Class<? extends OpKernel>> CLASSES = List.of(
            OpenClFillKernel.class,
            OpenClIotaKernel.class,
            OpenClRngKernel.class,
            OpenClUnaryKernel.class,
            OpenClBinaryKernel.class,
            OpenClCompareKernel.class,
            OpenClSelectKernel.class,
            OpenClCastKernel.class,
            OpenClReduceKernel.class,
            OpenClArgReduceKernel.class,
            OpenClMatmulKernel.class,
            OpenClCopyKernel.class,
            OpenClConcatKernel.class,
            OpenClPadKernel.class,
            OpenClGatherKernel.class,
            OpenClScatterAddKernel.class);

    private OpenClKernels() {
    }

    /** Creates one instance of each class in {@link #CLASSES}, each running on the given backend. */
    static List<OpKernel> instantiate(OpenClBackend backend) {
        List<OpKernel> kernels = new ArrayList<>(CLASSES.size());
        for (Class<? extends OpKernel> type : CLASSES) {
            try {
                kernels.add(type.getDeclaredConstructor(OpenClBackend.class).newInstance(backend));
            } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("Kernel class " + type.getName() + " needs a constructor taking the OpenClBackend", e);
            }
        }
        return List.copyOf(kernels);
    }
}
