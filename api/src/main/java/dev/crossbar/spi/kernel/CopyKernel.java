package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/**
 * Kernel for {@code copy} and for materializing the layout views (reshape, permute, broadcast_to, slice).
 */
public interface CopyKernel extends OpKernel {
    /**
     * Copies the elements of {@code in}, read in row-major order of its shape, into {@code out}, written in row-major
     * order of its shape. Both have the same element count and type; {@code out} may itself be a strided view (the API
     * uses this to write into part of a tensor).
     *
     * @param out the destination
     * @param in the source, any strides
     */
    void copy(TensorView out, TensorView in);
}
