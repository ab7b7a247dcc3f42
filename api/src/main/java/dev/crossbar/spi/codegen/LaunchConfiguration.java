package dev.crossbar.spi.codegen;

import java.util.Locale;

/**
 * The grid and block sizes of a one-dimensional launch. Generated kernels are grid-stride loops, so the grid need not
 * cover the work: it is capped at a few waves of the blocks the device keeps resident, which keeps every
 * multiprocessor (CUDA) or compute unit (HIP) busy without launching millions of blocks for large tensors.
 *
 * @param gridSize blocks in the grid
 * @param blockSize threads per block
 */
public record LaunchConfiguration(int gridSize, int blockSize) {
    /**
     * Threads per block: eight 32-wide warps or four 64-wide wavefronts, a good default for memory-bound element-wise
     * kernels.
     */
    public static final int PREFERRED_BLOCK_SIZE = 256;
    /** Waves of resident blocks a grid may hold before threads loop. */
    public static final int WAVES = 4;

    /**
     * Picks the configuration for some work.
     *
     * @param work the number of loop iterations, at least 1
     * @param limits the device's limits
     * @return the configuration
     * @throws IllegalArgumentException if {@code work} is below 1
     */
    public static LaunchConfiguration of(long work, DeviceLimits limits) {
        if (work < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a launch needs at least one iteration of work, not %d; skip empty launches", work));
        }
        int block = Math.min(PREFERRED_BLOCK_SIZE, limits.maxThreadsPerBlock());
        long resident = (long) limits.multiprocessors() * Math.max(1, limits.maxThreadsPerMultiprocessor() / block);
        long grid = Math.min(Math.ceilDiv(work, block), Math.min(resident * WAVES, limits.maxGridSize()));
        return new LaunchConfiguration((int) grid, block);
    }

    /**
     * The limits of a device that shape a launch, from {@code cuDeviceGetAttribute} or {@code hipDeviceGetAttribute}.
     *
     * @param maxThreadsPerBlock {@code CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK}, {@code hipDeviceAttributeMaxThreadsPerBlock}
     * @param maxGridSize {@code CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X}, {@code hipDeviceAttributeMaxGridDimX}
     * @param multiprocessors {@code CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT}, {@code hipDeviceAttributeMultiprocessorCount}
     * @param maxThreadsPerMultiprocessor {@code CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR},
     *     {@code hipDeviceAttributeMaxThreadsPerMultiProcessor}
     */
    public record DeviceLimits(int maxThreadsPerBlock, int maxGridSize, int multiprocessors, int maxThreadsPerMultiprocessor) {
        /**
         * Checks that every limit is positive.
         *
         * @throws IllegalArgumentException naming the limits
         */
        public DeviceLimits {
            if (maxThreadsPerBlock < 1 || maxGridSize < 1 || multiprocessors < 1 || maxThreadsPerMultiprocessor < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "device limits must be positive: %d threads per block, grid %d, %d multiprocessors, %d threads per multiprocessor",
                        maxThreadsPerBlock, maxGridSize, multiprocessors, maxThreadsPerMultiprocessor));
            }
        }
    }
}
