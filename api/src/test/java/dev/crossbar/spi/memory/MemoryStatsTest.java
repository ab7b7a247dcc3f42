package dev.crossbar.spi.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryStatsTest {
    @Test
    void reservedIsAllocatedPlusCached() {
        assertEquals(1536, new MemoryStats(1024, 512, 2048, 3, 1, 2, 0).reservedBytes());
    }

    @Test
    void devicesAddUp() {
        MemoryStats a = new MemoryStats(1024, 512, 2048, 3, 1, 2, 0);
        MemoryStats b = new MemoryStats(10, 20, 30, 40, 5, 6, 7);

        assertEquals(new MemoryStats(1034, 532, 2078, 43, 6, 8, 7), a.plus(b));
        assertEquals(a, MemoryStats.NONE.plus(a));
    }

    @Test
    void inconsistentFiguresAreRejectedWithTheFigures() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MemoryStats(100, 0, 50, 1, 0, 1, 0));

        assertTrue(e.getMessage().contains("100 allocated") && e.getMessage().contains("peak 50"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MemoryStats(0, 0, 0, 1, 2, 0, 0), "more hits than requests");
        assertThrows(IllegalArgumentException.class, () -> new MemoryStats(0, -1, 0, 0, 0, 0, 0), "negative cache");
    }
}
