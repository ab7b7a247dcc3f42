package dev.crossbar.spi.kernel;

import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;

/**
 * Kernel for {@code rng_uniform} and {@code rng_normal}. Numbers must equal those of {@link dev.crossbar.spi.Philox}
 * for the same seed and offset, so every backend draws the same values.
 */
public interface RngKernel extends OpKernel {
    /**
     * Fills the output with random numbers: element {@code i} (row-major) uses Philox block {@code offset + i / 4},
     * word {@code i % 4}.
     *
     * @param op {@code RNG_UNIFORM} (a = low, b = high) or {@code RNG_NORMAL} (a = mean, b = standard deviation)
     * @param out the output
     * @param seed the Philox key
     * @param offset the first Philox counter block
     * @param a low or mean
     * @param b high or standard deviation
     */
    void random(Op op, TensorView out, long seed, long offset, double a, double b);
}
