package dev.crossbar.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import dev.crossbar.spi.memory.MemoryStats;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Caches freed host blocks by power-of-two size class for reuse, as PyTorch's caching allocators do: a training loop
 * that frees what it allocates reaches a steady state with no native allocation, and no shared-arena close (a
 * handshake with every thread) per tensor. Blocks live in one shared arena, released when the backend closes.
 */
final class HostMemoryPool implements AutoCloseable {
    private static final long ALIGNMENT = 64;

    private final Arena arena = Arena.ofShared();
    /**
     * Free blocks by size class (index c holds blocks of 2^c bytes), most recently freed last; each guarded by its own
     * lock, which is uncontended in the common case and cheaper than a lock-free deque's node per block.
     */
    private final List<ArrayDeque<MemorySegment>> freeBlocks = Stream.generate(ArrayDeque<MemorySegment>::new).limit(Long.SIZE).toList();
    private final AtomicLong allocatedBytes = new AtomicLong();
    private final AtomicLong cachedBytes = new AtomicLong();
    private final AtomicLong peakAllocatedBytes = new AtomicLong();
    private final LongAdder requests = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder arenaAllocations = new LongAdder();

    /** A block of at least {@code byteSize} bytes, of unspecified content. */
    MemorySegment take(long byteSize) {
        int sizeClass = sizeClass(byteSize);
        ArrayDeque<MemorySegment> blocks = freeBlocks.get(sizeClass);
        MemorySegment block;
        synchronized (blocks) {
            block = blocks.pollLast();
        }
        requests.increment();
        long size = 1L << sizeClass;
        if (block != null) {
            cacheHits.increment();
            cachedBytes.addAndGet(-size);
        } else {
            arenaAllocations.increment();
            block = arena.allocate(size, ALIGNMENT);
        }
        long allocated = allocatedBytes.addAndGet(size);
        peakAllocatedBytes.accumulateAndGet(allocated, Math::max);
        return block;
    }

    /** Returns a block obtained from {@link #take} for reuse. */
    void give(MemorySegment block) {
        ArrayDeque<MemorySegment> blocks = freeBlocks.get(sizeClass(block.byteSize()));
        allocatedBytes.addAndGet(-block.byteSize());
        synchronized (blocks) {
            // Counted before it can be taken again, so the cached bytes never read negative.
            cachedBytes.addAndGet(block.byteSize());
            blocks.addLast(block);
        }
    }

    /**
     * Returns what the pool holds and has done. Blocks are never returned to the operating system before the pool
     * closes, so there are no device frees; counters read while other threads allocate may be a moment apart.
     */
    MemoryStats stats() {
        long hits = cacheHits.sum();
        long allocated = allocatedBytes.get();
        return new MemoryStats(allocated, cachedBytes.get(), Math.max(allocated, peakAllocatedBytes.get()), Math.max(hits, requests.sum()), hits,
                arenaAllocations.sum(), 0);
    }

    private static int sizeClass(long byteSize) {
        return 64 - Long.numberOfLeadingZeros(Math.max(byteSize, ALIGNMENT) - 1);
    }

    @Override
    public void close() {
        for (ArrayDeque<MemorySegment> blocks : freeBlocks) {
            synchronized (blocks) {
                blocks.clear();
            }
        }
        arena.close();
    }
}
