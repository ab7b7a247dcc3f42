package dev.crossbar.spi.memory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A caching allocator for the memory of one stream, as PyTorch's CUDA and HIP allocators keep one: freed blocks stay
 * cached by size class and the next request of that class on the same stream reuses one without a driver call. Reuse
 * is safe without events because the stream orders the freed block's last use before the new owner's first. When the
 * device runs out of memory, the cache is released and the allocation retried once. The cuda and rocm backends use it
 * over their stream-ordered allocators; a plugin uses it over any {@link DeviceMemory}.
 */
public final class CachingAllocator {
    /** The smallest size class; every block is a multiple of it, which also keeps blocks 512-byte aligned. */
    public static final long MINIMUM_BLOCK = 512;

    /** The raw memory of one stream. */
    public interface DeviceMemory {
        /**
         * Allocates memory.
         *
         * @param bytes more than 0
         * @return the device address
         */
        long allocate(long bytes);

        /**
         * Frees memory from {@link #allocate}.
         *
         * @param address the address
         */
        void free(long address);

        /**
         * Tells whether a failure of {@link #allocate} means the device is out of memory.
         *
         * @param failure what it threw
         * @return true for out-of-memory
         */
        boolean isOutOfMemory(RuntimeException failure);
    }

    /**
     * A block handed out.
     *
     * @param address the device address
     * @param size the block's size class, at least the bytes requested
     */
    public record Block(long address, long size) {
    }

    private static final Block EMPTY = new Block(0, 0);

    private final DeviceMemory memory;
    private final Map<Long, ArrayDeque<Long>> cached = new HashMap<>();
    private final Set<Long> live = new HashSet<>();
    private long allocatedBytes;
    private long cachedBytes;
    private long peakAllocatedBytes;
    private long requests;
    private long cacheHits;
    private long deviceAllocations;
    private long deviceFrees;

    /**
     * Creates an allocator over some memory.
     *
     * @param memory the raw memory of one stream
     */
    public CachingAllocator(DeviceMemory memory) {
        this.memory = memory;
    }

    /**
     * Returns the size class of a request: 512 bytes at least, then four classes per power of two, so a block wastes
     * less than a quarter of itself.
     *
     * @param bytes the request
     * @return the block size
     */
    public static long sizeClass(long bytes) {
        if (bytes <= MINIMUM_BLOCK) {
            return MINIMUM_BLOCK;
        }
        long step = Long.highestOneBit(bytes - 1) >> 2;
        return Math.ceilDiv(bytes, step) * step;
    }

    /**
     * Hands out a block of at least {@code bytes}.
     *
     * @param bytes the request, may be 0
     * @return the block; a request of 0 gets an empty block at address 0
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public synchronized Block allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "cannot allocate %d bytes", bytes));
        }
        requests++;
        if (bytes == 0) {
            return EMPTY;
        }
        long size = sizeClass(bytes);
        ArrayDeque<Long> free = cached.get(size);
        long address;
        if (free != null && !free.isEmpty()) {
            address = free.pop();
            cachedBytes -= size;
            cacheHits++;
        } else {
            address = allocateOnDevice(size);
        }
        live.add(address);
        allocatedBytes += size;
        peakAllocatedBytes = Math.max(peakAllocatedBytes, allocatedBytes);
        return new Block(address, size);
    }

    /**
     * Takes a block back into the cache.
     *
     * @param block a block from {@link #allocate} not freed since
     * @throws IllegalStateException if the block is not allocated here
     */
    public synchronized void free(Block block) {
        if (block.size() == 0) {
            return;
        }
        if (!live.remove(block.address())) {
            throw new IllegalStateException(String.format(Locale.ROOT, "block at 0x%x of %d bytes is not allocated here (freed twice?)", block.address(), block.size()));
        }
        allocatedBytes -= block.size();
        cachedBytes += block.size();
        cached.computeIfAbsent(block.size(), s -> new ArrayDeque<>()).push(block.address());
    }

    /** Returns every cached block to the device. */
    public synchronized void releaseCache() {
        for (ArrayDeque<Long> free : cached.values()) {
            while (!free.isEmpty()) {
                memory.free(free.pop());
                deviceFrees++;
            }
        }
        cached.clear();
        cachedBytes = 0;
    }

    /**
     * Returns the counters.
     *
     * @return a snapshot
     */
    public synchronized MemoryStats stats() {
        return new MemoryStats(allocatedBytes, cachedBytes, peakAllocatedBytes, requests, cacheHits, deviceAllocations, deviceFrees);
    }

    private long allocateOnDevice(long size) {
        long address;
        try {
            address = memory.allocate(size);
        } catch (RuntimeException e) {
            if (!memory.isOutOfMemory(e) || cachedBytes == 0) {
                throw e;
            }
            releaseCache();
            address = memory.allocate(size);
        }
        deviceAllocations++;
        return address;
    }
}
