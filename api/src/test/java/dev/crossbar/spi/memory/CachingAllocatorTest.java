package dev.crossbar.spi.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachingAllocatorTest {
    /** Device memory in a fake address space with a capacity, recording every call. */
    private static final class FakeMemory implements CachingAllocator.DeviceMemory {
        final List<Long> allocations = new ArrayList<>();
        final List<Long> frees = new ArrayList<>();
        final List<long[]> blocks = new ArrayList<>();
        long capacity = Long.MAX_VALUE;
        long inUse;
        long next = 0x10000;

        @Override
        public long allocate(long bytes) {
            if (inUse + bytes > capacity) {
                throw new IllegalStateException("out of memory");
            }
            inUse += bytes;
            allocations.add(bytes);
            long address = next;
            next += bytes;
            blocks.add(new long[] {address, bytes});
            return address;
        }

        @Override
        public void free(long address) {
            frees.add(address);
            inUse -= blocks.stream().filter(s -> s[0] == address).findFirst().orElseThrow()[1];
        }

        @Override
        public boolean isOutOfMemory(RuntimeException failure) {
            return failure.getMessage().equals("out of memory");
        }
    }

    @Test
    void sizeClassesWasteLessThanAQuarter() {
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(640, CachingAllocator.sizeClass(513));
        assertEquals(1024, CachingAllocator.sizeClass(1000));
        assertEquals(1536, CachingAllocator.sizeClass(1500));
        assertEquals(5 << 20, CachingAllocator.sizeClass((4 << 20) + 1));
        for (long bytes = 513; bytes < 1 << 22; bytes = bytes * 3 / 2 + 7) {
            long size = CachingAllocator.sizeClass(bytes);
            assertTrue(size >= bytes && size - bytes < size / 4 && size % 128 == 0, bytes + " -> " + size);
        }
    }

    @Test
    void aFreedBlockIsReusedForTheSameSizeClassWithoutADeviceCall() {
        FakeMemory memory = new FakeMemory();
        CachingAllocator allocator = new CachingAllocator(memory);

        CachingAllocator.Block first = allocator.allocate(1000);
        allocator.free(first);
        CachingAllocator.Block second = allocator.allocate(900);
        CachingAllocator.Block third = allocator.allocate(1000);

        assertEquals(first.address(), second.address());
        assertNotEquals(first.address(), third.address());
        assertEquals(List.of(1024L, 1024L), memory.allocations);
        MemoryStats stats = allocator.stats();
        assertEquals(new MemoryStats(2048, 0, 2048, 3, 1, 2, 0), stats);
    }

    @Test
    void statsTrackCachedBytesAndThePeak() {
        CachingAllocator allocator = new CachingAllocator(new FakeMemory());
        CachingAllocator.Block a = allocator.allocate(4096);
        CachingAllocator.Block b = allocator.allocate(100);
        allocator.free(a);

        assertEquals(new MemoryStats(512, 4096, 4608, 2, 0, 2, 0), allocator.stats());

        allocator.releaseCache();
        assertEquals(new MemoryStats(512, 0, 4608, 2, 0, 2, 1), allocator.stats());
        allocator.free(b);
    }

    @Test
    void runningOutOfMemoryReleasesTheCacheAndRetriesOnce() {
        FakeMemory memory = new FakeMemory();
        memory.capacity = 8192;
        CachingAllocator allocator = new CachingAllocator(memory);
        allocator.free(allocator.allocate(4096));
        allocator.free(allocator.allocate(2048));

        CachingAllocator.Block big = allocator.allocate(6144);

        assertEquals(6144, big.size());
        assertEquals(2, memory.frees.size(), "both cached blocks went back to the device");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.allocate(4096));
        assertEquals("out of memory", e.getMessage(), "with nothing cached the failure propagates");
    }

    @Test
    void zeroBytesNeedNoDeviceMemory() {
        FakeMemory memory = new FakeMemory();
        CachingAllocator allocator = new CachingAllocator(memory);

        CachingAllocator.Block empty = allocator.allocate(0);
        allocator.free(empty);

        assertEquals(0, empty.size());
        assertTrue(memory.allocations.isEmpty());
        assertSame(empty, allocator.allocate(0));
    }

    @Test
    void aDoubleFreeIsRejected() {
        CachingAllocator allocator = new CachingAllocator(new FakeMemory());
        CachingAllocator.Block block = allocator.allocate(64);
        allocator.free(block);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.free(block));
        assertEquals("block at 0x10000 of 512 bytes is not allocated here (freed twice?)", e.getMessage());
    }
}
