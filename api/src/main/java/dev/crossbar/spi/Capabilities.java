package dev.crossbar.spi;

import dev.crossbar.api.DType;
import dev.crossbar.spi.kernel.OpKernel;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The cells a backend claims and how it executes. Always derived from {@link Kernel} annotations with
 * {@link #declaredBy}, never written out by hand.
 *
 * @param mode eager or lazy graph
 * @param cells the (op, dtype) pairs with a kernel
 */
public record Capabilities(ExecutionMode mode, SortedSet<Cell> cells) {

    /**
     * Freezes the cells.
     *
     * @param mode eager or lazy graph
     * @param cells the cells
     */
    public Capabilities {
        cells = Collections.unmodifiableSortedSet(new TreeSet<>(cells));
    }

    /**
     * Returns capabilities with no cells, for a backend that declares no kernels yet.
     *
     * @param mode how the backend would execute
     * @return capabilities with no cells
     */
    public static Capabilities none(ExecutionMode mode) {
        return new Capabilities(mode, new TreeSet<>());
    }

    /**
     * Reads the cells declared by kernel classes' {@link Kernel} annotations.
     *
     * @param mode how the backend executes
     * @param kernelClasses the backend's kernel classes
     * @return the capabilities
     * @throws IllegalArgumentException if a class lacks the annotation, does not implement its op's kernel
     *     interface, declares a type its op does not admit, or two classes declare the same cell
     */
    public static Capabilities declaredBy(ExecutionMode mode, Collection<Class<? extends OpKernel>> kernelClasses) {
        SortedSet<Cell> cells = new TreeSet<>();
        for (Class<? extends OpKernel> type : kernelClasses) {
            for (Cell cell : cellsOf(type)) {
                if (!cells.add(cell)) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "Cell %s is declared twice; %s is one of the classes declaring it; keep one kernel per cell", cell, type.getName()));
                }
            }
        }
        return new Capabilities(mode, cells);
    }

    /**
     * Reads and checks the cells one kernel class declares.
     *
     * @param type the kernel class
     * @return its cells
     * @throws IllegalArgumentException if the declaration is inconsistent, as described on {@link #declaredBy}
     */
    public static Set<Cell> cellsOf(Class<?> type) {
        Kernel[] kernels = type.getAnnotationsByType(Kernel.class);
        if (kernels.length == 0) {
            throw new IllegalArgumentException(type.getName() + " has no @Kernel annotation; annotate it with the op and dtypes it serves");
        }
        SortedSet<Cell> cells = new TreeSet<>();
        for (Kernel k : kernels) {
            if (!k.op().kernelType().isAssignableFrom(type)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s declares op %s but does not implement %s", type.getName(), k.op().opName(), k.op().kernelType().getName()));
            }
            for (DType d : k.dtypes()) {
                if (!k.op().admitted().contains(d)) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "%s declares %s for %s, which the op does not admit; admitted: %s", type.getName(), k.op().opName(), d, k.op().admitted()));
                }
                cells.add(new Cell(k.op(), d));
            }
        }
        return cells;
    }

    /**
     * Tells whether a cell is declared.
     *
     * @param op the op
     * @param dtype the element type
     * @return true when a kernel serves the cell
     */
    public boolean supports(Op op, DType dtype) {
        return cells.contains(new Cell(op, dtype));
    }
}
