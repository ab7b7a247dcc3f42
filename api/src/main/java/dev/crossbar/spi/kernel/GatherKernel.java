package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Kernel for {@code gather}, take along an axis (PyTorch's {@code torch.gather}). */
public interface GatherKernel extends OpKernel {
    /**
     * Computes {@code out[p] = in[p with p[axis] replaced by index[p]]}.
     *
     * @param out the output, shaped as {@code index}
     * @param in the input; every dimension other than {@code axis} is at least the index's
     * @param index I32 or I64 indices in {@code [0, in.shape[axis])}; the kernel throws
     *     {@link IndexOutOfBoundsException} naming the bad index otherwise
     * @param axis the axis
     */
    void gather(TensorView out, TensorView in, TensorView index, int axis);
}
