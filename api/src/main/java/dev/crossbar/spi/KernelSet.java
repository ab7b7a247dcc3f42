package dev.crossbar.spi;

import dev.crossbar.api.DType;
import dev.crossbar.api.UnsupportedOpException;
import dev.crossbar.spi.kernel.FusedKernel;
import dev.crossbar.spi.kernel.OpKernel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A backend's kernels, looked up by op and element type. Built from kernel instances whose classes carry
 * {@link Kernel} annotations, so lookup and {@link Capabilities} agree by construction, and from optional
 * {@link FusedKernel}s, looked up by their interface.
 */
public final class KernelSet {
    private final String backend;
    private final Map<Op, Map<DType, OpKernel>> kernels = new EnumMap<>(Op.class);
    private final Map<Class<?>, FusedKernel> fused = new HashMap<>();
    private final Capabilities capabilities;

    private KernelSet(String backend, ExecutionMode mode, List<? extends OpKernel> instances, List<? extends FusedKernel> fusedInstances) {
        this.backend = backend;
        List<Class<? extends OpKernel>> classes = new ArrayList<>();
        for (OpKernel k : instances) {
            classes.add(k.getClass());
            for (Cell cell : Capabilities.cellsOf(k.getClass())) {
                kernels.computeIfAbsent(cell.op(), o -> new EnumMap<>(DType.class)).put(cell.dtype(), k);
            }
        }
        this.capabilities = Capabilities.declaredBy(mode, classes);
        for (FusedKernel k : fusedInstances) {
            for (Class<?> type : k.getClass().getInterfaces()) {
                if (FusedKernel.class.isAssignableFrom(type) && type != FusedKernel.class && fused.put(type, k) != null) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "Two fused kernels of %s implement %s; keep one", backend, type.getName()));
                }
            }
        }
    }

    /**
     * Creates the kernel set of a backend.
     *
     * @param backend the backend's name, for errors
     * @param mode how the backend executes
     * @param instances one instance of each kernel class
     * @return the kernel set
     * @throws IllegalArgumentException if a declaration is inconsistent, as described on
     *     {@link Capabilities#declaredBy}
     */
    public static KernelSet of(String backend, ExecutionMode mode, List<? extends OpKernel> instances) {
        return new KernelSet(backend, mode, instances, List.of());
    }

    /**
     * Creates the kernel set of a backend that also has fused kernels.
     *
     * @param backend the backend's name, for errors
     * @param mode how the backend executes
     * @param instances one instance of each kernel class
     * @param fusedInstances one instance of each fused kernel class; each serves the fused-kernel interfaces its
     *     class implements directly
     * @return the kernel set
     * @throws IllegalArgumentException if a declaration is inconsistent, as described on
     *     {@link Capabilities#declaredBy}, or two fused kernels implement the same interface
     */
    public static KernelSet of(String backend, ExecutionMode mode, List<? extends OpKernel> instances, List<? extends FusedKernel> fusedInstances) {
        return new KernelSet(backend, mode, instances, fusedInstances);
    }

    /**
     * Returns the fused kernel of an interface, if the backend has one.
     *
     * @param type the fused-kernel interface, such as {@link dev.crossbar.spi.kernel.SoftmaxKernel}
     * @param <F> the interface
     * @return the kernel, or empty when the API should compose the op from primitives
     */
    public <F extends FusedKernel> Optional<F> fused(Class<F> type) {
        return Optional.ofNullable(type.cast(fused.get(type)));
    }

    /**
     * Returns the kernel for a cell.
     *
     * @param op the op
     * @param dtype the element type of the cell
     * @param type the kernel interface, {@code op.kernelType()}
     * @param <K> the kernel interface
     * @return the kernel
     * @throws UnsupportedOpException if the backend declares no kernel for the cell
     */
    public <K extends OpKernel> K get(Op op, DType dtype, Class<K> type) {
        if (type != op.kernelType()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s kernels implement %s, not %s", op.opName(), op.kernelType().getName(), type.getName()));
        }
        OpKernel k = kernels.getOrDefault(op, Map.of()).get(dtype);
        if (k == null) {
            throw new UnsupportedOpException(backend, op, dtype);
        }
        return type.cast(k);
    }

    /**
     * Returns the capabilities these kernels declare.
     *
     * @return the capabilities
     */
    public Capabilities capabilities() {
        return capabilities;
    }
}
