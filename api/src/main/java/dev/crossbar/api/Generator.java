package dev.crossbar.api;

import dev.crossbar.spi.Philox;

/**
 * A seed and a running Philox counter offset, handed to code that draws random numbers in sequence (initializers,
 * dropout). Each draw takes the next {@code ceil(n / 4)} counter blocks, so the same seed gives the same numbers on
 * every backend and in every run, however the draws are split across devices.
 */
public final class Generator {
    private final long seed;
    private long offset;

    /**
     * Creates a generator at offset 0.
     *
     * @param seed the Philox key
     */
    public Generator(long seed) {
        this.seed = seed;
    }

    /**
     * Returns the seed.
     *
     * @return the Philox key
     */
    public long seed() {
        return seed;
    }

    /**
     * Reserves the counter blocks for a draw of {@code elements} numbers.
     *
     * @param elements the size of the draw
     * @return the offset to pass to the draw
     */
    public synchronized long take(long elements) {
        long start = offset;
        offset += Philox.blocksFor(elements);
        return start;
    }

    /**
     * Draws uniform numbers in [low, high).
     *
     * @param scope the scope that allocates
     * @param shape the shape
     * @param dtype a floating type
     * @param low the lower bound
     * @param high the upper bound
     * @return the tensor
     */
    public Tensor uniform(TensorScope scope, Shape shape, DType dtype, double low, double high) {
        return scope.randUniform(shape, dtype, seed, take(shape.size()), low, high);
    }

    /**
     * Draws normal numbers.
     *
     * @param scope the scope that allocates
     * @param shape the shape
     * @param dtype a floating type
     * @param mean the mean
     * @param std the standard deviation
     * @return the tensor
     */
    public Tensor normal(TensorScope scope, Shape shape, DType dtype, double mean, double std) {
        return scope.randNormal(shape, dtype, seed, take(shape.size()), mean, std);
    }
}
