package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Kernel for {@code scatter_add}, the adjoint of {@link GatherKernel}. */
public interface ScatterAddKernel extends OpKernel {
    /**
     * Adds {@code src[p]} into {@code out[p with p[axis] replaced by index[p]]}, for every position {@code p} of
     * {@code index}. {@code out} already holds the base values.
     *
     * @param out the output, updated in place
     * @param index I32 or I64 indices in {@code [0, out.shape[axis])}; the kernel throws
     *     {@link IndexOutOfBoundsException} naming the bad index otherwise
     * @param src the values, shaped as {@code index} (or larger in every dimension), same type as {@code out}
     * @param axis the axis
     */
    void scatterAdd(TensorView out, TensorView index, TensorView src, int axis);
}
