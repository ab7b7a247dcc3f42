package dev.crossbar.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Caches freed host blocks by power-of-two size class for reuse, as PyTorch's caching allocators do: a training loop
 * that frees what it allocates reaches a steady state with no native allocation, and no shared-arena close (a
 * handshake with every thread) per tensor. Blocks live in one shared arena, released when the backend closes.
 */
final class HostMemoryPool implements AutoCloseable {
    private static final long ALIGNMENT = 64;

    private final Arena arena = Arena.ofShared();
    private final ConcurrentHashMap<Integer, ConcurrentLinkedDeque<MemorySegment>> freeBlocks = new ConcurrentHashMap<>();

    /** A block of at least {@code byteSize} bytes, of unspecified content. */
    MemorySegment take(long byteSize) {
        int sizeClass = sizeClass(byteSize);
        MemorySegment block = freeBlocks.computeIfAbsent(sizeClass, c -> new ConcurrentLinkedDeque<>()).pollFirst();
        return block != null ? block : arena.allocate(1L << sizeClass, ALIGNMENT);
    }

    /** Returns a block obtained from {@link #take} for reuse. */
    void give(MemorySegment block) {
        freeBlocks.get(sizeClass(block.byteSize())).offerFirst(block);
    }

    private static int sizeClass(long byteSize) {
        return 64 - Long.numberOfLeadingZeros(Math.max(byteSize, ALIGNMENT) - 1);
    }

    @Override
    public void close() {
        freeBlocks.clear();
        arena.close();
    }
}
