package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Kernel for {@code iota}. */
public interface IotaKernel extends OpKernel {
    /**
     * Writes each element's index along {@code axis}.
     *
     * @param out the output
     * @param axis the axis, in {@code [0, rank)}
     */
    void iota(TensorView out, int axis);
}
