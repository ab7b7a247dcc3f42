package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;
import java.util.List;

/** Kernel for {@code concat}. */
public interface ConcatKernel extends OpKernel {
    /**
     * Joins inputs along an axis.
     *
     * @param out the output
     * @param inputs the inputs, same type and same shape except along {@code axis}
     * @param axis the axis, in {@code [0, rank)}
     */
    void concat(TensorView out, List<TensorView> inputs, int axis);
}
