package dev.crossbar.spi.memory;

import java.util.Locale;

/**
 * What a backend's allocator holds and has done on one device, for the runtime's accounting ({@code Crossbar.memory()}
 * and doctor).
 *
 * @param allocatedBytes bytes in blocks handed out and not yet freed
 * @param cachedBytes bytes in freed blocks kept for reuse (reserved from the device but not in use)
 * @param peakAllocatedBytes the highest {@code allocatedBytes} seen
 * @param requests allocations asked for
 * @param cacheHits allocations served from the cache
 * @param deviceAllocations allocations that reached the device (or the operating system)
 * @param deviceFrees frees that reached the device (or the operating system)
 */
public record MemoryStats(long allocatedBytes, long cachedBytes, long peakAllocatedBytes, long requests, long cacheHits, long deviceAllocations,
        long deviceFrees) {
    /** Statistics of an allocator that has done nothing. */
    public static final MemoryStats NONE = new MemoryStats(0, 0, 0, 0, 0, 0, 0);

    /**
     * Checks that no figure is negative and that the counts are consistent.
     *
     * @throws IllegalArgumentException naming the inconsistent figures
     */
    public MemoryStats {
        if (allocatedBytes < 0 || cachedBytes < 0 || peakAllocatedBytes < allocatedBytes || requests < 0 || cacheHits < 0 || cacheHits > requests
                || deviceAllocations < 0 || deviceFrees < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "inconsistent memory statistics: %d allocated, %d cached, peak %d, %d requests, %d cache hits, %d device allocations, %d device frees;"
                            + " figures must be >= 0, the peak >= the allocated bytes and the hits <= the requests",
                    allocatedBytes, cachedBytes, peakAllocatedBytes, requests, cacheHits, deviceAllocations, deviceFrees));
        }
    }

    /**
     * Returns the bytes held from the device: allocated plus cached.
     *
     * @return the reserved bytes
     */
    public long reservedBytes() {
        return allocatedBytes + cachedBytes;
    }

    /**
     * Adds the statistics of another device, for a backend's total; the peak is the sum of the peaks, an upper bound of
     * the peak of the sum.
     *
     * @param other the other device's statistics
     * @return the sums
     */
    public MemoryStats plus(MemoryStats other) {
        return new MemoryStats(allocatedBytes + other.allocatedBytes, cachedBytes + other.cachedBytes, peakAllocatedBytes + other.peakAllocatedBytes,
                requests + other.requests, cacheHits + other.cacheHits, deviceAllocations + other.deviceAllocations, deviceFrees + other.deviceFrees);
    }
}
