package dev.crossbar.spi;

import dev.crossbar.api.DType;
import dev.crossbar.api.UnsupportedOpException;
import dev.crossbar.spi.kernel.OpKernel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A backend's kernels, looked up by op and element type. Built from kernel instances whose classes carry
 * {@link Kernel} annotations, so lookup and {@link Capabilities} agree by construction.
 */
public final class KernelSet {
    private final String backend;
    private final Map<Op, Map<DType, OpKernel>> kernels = new EnumMap<>(Op.class);
    private final Capabilities capabilities;

    private KernelSet(String backend, ExecutionMode mode, List<? extends OpKernel> instances) {
        this.backend = backend;
        List<Class<? extends OpKernel>> classes = new ArrayList<>();
        for (OpKernel k : instances) {
            classes.add(k.getClass());
            for (Cell cell : Capabilities.cellsOf(k.getClass())) {
                kernels.computeIfAbsent(cell.op(), o -> new EnumMap<>(DType.class)).put(cell.dtype(), k);
            }
        }
        this.capabilities = Capabilities.declaredBy(mode, classes);
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
        return new KernelSet(backend, mode, instances);
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
