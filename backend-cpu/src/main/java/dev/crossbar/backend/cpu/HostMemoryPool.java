package dev.crossbar.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.List;
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

    /** A block of at least {@code byteSize} bytes, of unspecified content. */
    MemorySegment take(long byteSize) {
        int sizeClass = sizeClass(byteSize);
        ArrayDeque<MemorySegment> blocks = freeBlocks.get(sizeClass);
        MemorySegment block;
        synchronized (blocks) {
            block = blocks.pollLast();
        }
        return block != null ? block : arena.allocate(1L << sizeClass, ALIGNMENT);
    }

    /** Returns a block obtained from {@link #take} for reuse. */
    void give(MemorySegment block) {
        ArrayDeque<MemorySegment> blocks = freeBlocks.get(sizeClass(block.byteSize()));
        synchronized (blocks) {
            blocks.addLast(block);
        }
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
