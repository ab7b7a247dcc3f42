package dev.crossbar.api.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceMeshTest {
    private final DeviceMesh mesh = DeviceMesh.of(new int[] {2, 3}, "replicate", "shard");

    @Test
    void ranksAreRowMajorWithCoordinates() {
        assertEquals(6, mesh.size());
        assertArrayEquals(new int[] {2, 3}, mesh.shape());
        assertEquals(List.of("replicate", "shard"), mesh.axisNames());
        assertArrayEquals(new int[] {1, 2}, mesh.coordinate(5));
        assertEquals(4, mesh.rankAt(1, 1));
        assertEquals(3, mesh.size("shard"));
    }

    @Test
    void groupsAlongAnAxisShareTheOtherCoordinates() {
        assertEquals(List.of(3, 4, 5), mesh.groupAlong("shard", 4));
        assertEquals(List.of(1, 4), mesh.groupAlong("replicate", 4));
        assertEquals(List.of(List.of(0, 3), List.of(1, 4), List.of(2, 5)), mesh.groupsAlong("replicate"));
        DeviceMesh row = mesh.subMesh("shard", 4);
        assertEquals(List.of(3, 4, 5), row.ranks());
        assertArrayEquals(new int[] {1}, row.coordinate(4));
    }

    @Test
    void explicitRanksArePlacedInOrder() {
        DeviceMesh m = DeviceMesh.of(new int[] {2}, new int[] {6, 2}, "dp");
        assertEquals(List.of(6, 2), m.groupAlong("dp", 2));
        assertTrue(m.contains(6));
    }

    @Test
    void invalidMeshesFailWithTheValues() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceMesh.of(new int[] {2, 2}, "dp")).getMessage().contains("2 axes but 1 names"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceMesh.of(new int[] {2, 0}, "a", "b")).getMessage().contains("[2, 0]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceMesh.of(new int[] {2, 2}, "a", "a")).getMessage().contains("'a'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceMesh.of(new int[] {2}, new int[] {1, 1}, "a")).getMessage().contains("twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> mesh.groupAlong("tp", 0)).getMessage().contains("[replicate, shard]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> mesh.coordinate(6)).getMessage().contains("Rank 6"));
    }

    @Test
    void chunkSizesGiveTheFirstRanksTheRemainder() {
        assertArrayEquals(new int[] {3, 2, 2}, ProcessGroup.chunkSizes(7, 3));
        assertArrayEquals(new int[] {1, 1, 0, 0}, ProcessGroup.chunkSizes(2, 4));
        assertArrayEquals(new int[] {4, 4}, ProcessGroup.chunkSizes(8, 2));
    }

    @Test
    void timeoutsParseSecondsAndIsoDurations() {
        assertEquals(Duration.ofMillis(500), SpmdOptions.parse("k", "0.5", Duration.ZERO));
        assertEquals(Duration.ofMinutes(1), SpmdOptions.parse("k", "PT1M", Duration.ZERO));
        assertEquals(Duration.ofSeconds(60), SpmdOptions.defaults().collectiveTimeout());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SpmdOptions.parse("crossbar.collective.timeout", "soon", Duration.ZERO))
                .getMessage().contains("crossbar.collective.timeout"));
    }
}
