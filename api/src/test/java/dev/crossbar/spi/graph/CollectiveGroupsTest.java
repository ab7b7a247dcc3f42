package dev.crossbar.spi.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.spi.graph.CollectiveGroups.ProcessId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The process grouping strategies against the examples of the StableHLO specification, and mesh axes to replica groups. */
class CollectiveGroupsTest {
    private static final Optional<ReduceOp> SUM = Optional.of(ReduceOp.SUM);

    private static ProcessId p(int replica, int partition) {
        return new ProcessId(replica, partition);
    }

    @Test
    void crossReplicaIsTheProductOfReplicaGroupsAndPartitions() {
        var attributes = new Attributes.Collective(List.of(List.of(0, 1), List.of(2, 3)), 0, false, SUM);
        assertEquals(List.of(List.of(p(0, 0), p(1, 0)), List.of(p(0, 1), p(1, 1)), List.of(p(2, 0), p(3, 0)), List.of(p(2, 1), p(3, 1))),
                CollectiveGroups.processGroups(CollectiveOp.ALL_REDUCE, attributes, 4, 2), "the specification's cross_replica example");
    }

    @Test
    void aPositiveChannelWithoutGlobalIdsJoinsEveryPartitionOfTheReplicas() {
        var attributes = new Attributes.Collective(List.of(List.of(0, 1), List.of(2, 3)), 5, false, SUM);
        assertEquals(List.of(List.of(p(0, 0), p(1, 0), p(0, 1), p(1, 1)), List.of(p(2, 0), p(3, 0), p(2, 1), p(3, 1))),
                CollectiveGroups.processGroups(CollectiveOp.ALL_REDUCE, attributes, 4, 2), "the specification's cross_replica_and_partition example");
    }

    @Test
    void globalDeviceIdsAreFlattenedReplicaTimesPartitionsPlusPartition() {
        var attributes = new Attributes.Collective(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), 1, true, Optional.empty());
        assertEquals(List.of(List.of(p(0, 0), p(0, 1), p(1, 0), p(1, 1)), List.of(p(2, 0), p(2, 1), p(3, 0), p(3, 1))),
                CollectiveGroups.processGroups(CollectiveOp.ALL_GATHER, attributes, 4, 2), "the specification's flattened_ids example");
    }

    @Test
    void allToAllWithAChannelGroupsPartitions() {
        var attributes = new Attributes.Collective(List.of(List.of(0, 1)), 3, false, Optional.empty());
        assertEquals(List.of(List.of(p(0, 0), p(0, 1)), List.of(p(1, 0), p(1, 1)), List.of(p(2, 0), p(2, 1)), List.of(p(3, 0), p(3, 1))),
                CollectiveGroups.processGroups(CollectiveOp.ALL_TO_ALL, attributes, 4, 2), "the specification's cross_partition example");
    }

    @Test
    void collectivePermutePairsAreGroupsOfSourceAndTarget() {
        var pairs = new Attributes.Permutation(List.of(List.of(0, 1), List.of(1, 2), List.of(2, 0)), 0);
        assertEquals(List.of(List.of(p(0, 0), p(1, 0)), List.of(p(1, 0), p(2, 0)), List.of(p(2, 0), p(0, 0))),
                CollectiveGroups.processGroups(CollectiveOp.COLLECTIVE_PERMUTE, pairs, 3, 1));
    }

    @Test
    void groupsAlongEachAxisOfATwoByFourMesh() {
        DeviceMesh mesh = DeviceMesh.of(new int[] {2, 4}, "dp", "tp");
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), CollectiveGroups.alongAxis(mesh, "tp"));
        assertEquals(List.of(List.of(0, 4), List.of(1, 5), List.of(2, 6), List.of(3, 7)), CollectiveGroups.alongAxis(mesh, "dp"));
    }

    @Test
    void groupsFollowTheMeshsLayoutAndListRanksInProcessGroupOrder() {
        DeviceMesh mesh = DeviceMesh.of(new int[] {2, 4}, new int[] {7, 6, 5, 4, 3, 2, 1, 0}, "dp", "tp");
        assertEquals(List.of(List.of(4, 5, 6, 7), List.of(0, 1, 2, 3)), CollectiveGroups.alongAxis(mesh, "tp"));
        assertEquals(List.of(List.of(3, 7), List.of(2, 6), List.of(1, 5), List.of(0, 4)), CollectiveGroups.alongAxis(mesh, "dp"));
    }

    @Test
    void aShiftAlongAnAxisPairsEachRankWithItsNeighbourInTheLine() {
        DeviceMesh mesh = DeviceMesh.of(new int[] {2, 4}, "dp", "tp");
        assertEquals(List.of(List.of(0, 1), List.of(1, 2), List.of(2, 3), List.of(3, 0), List.of(4, 5), List.of(5, 6), List.of(6, 7), List.of(7, 4)),
                CollectiveGroups.shiftAlongAxis(mesh, "tp", 1));
        assertEquals(List.of(List.of(0, 4), List.of(4, 0), List.of(1, 5), List.of(5, 1), List.of(2, 6), List.of(6, 2), List.of(3, 7), List.of(7, 3)),
                CollectiveGroups.shiftAlongAxis(mesh, "dp", -1));
    }

    @Test
    void aMeshThatDoesNotHoldEveryReplicaIsRefused() {
        DeviceMesh mesh = DeviceMesh.of(new int[] {2}, new int[] {1, 2}, "dp");
        var e = assertThrows(IllegalArgumentException.class, () -> CollectiveGroups.alongAxis(mesh, "dp"));
        assertTrue(e.getMessage().contains("[1, 2]"), e.getMessage());
    }

    @Test
    void groupsThatMissAReplicaOrLeaveTheGridAreRefused() {
        var partial = new Attributes.Collective(List.of(List.of(0, 1)), 0, false, SUM);
        var e = assertThrows(IllegalArgumentException.class, () -> CollectiveGroups.processGroups(CollectiveOp.ALL_REDUCE, partial, 4, 1));
        assertTrue(e.getMessage().contains("cover every replica id 0..3"), e.getMessage());
        var outside = new Attributes.Collective(List.of(List.of(0, 4)), 0, false, SUM);
        assertThrows(IllegalArgumentException.class, () -> CollectiveGroups.processGroups(CollectiveOp.ALL_REDUCE, outside, 4, 1));
    }

    @Test
    void malformedAttributesAreRefusedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> new Attributes.Collective(List.of(List.of(0, 1), List.of(2)), 0, false, SUM), "unequal groups");
        assertThrows(IllegalArgumentException.class, () -> new Attributes.Collective(List.of(List.of(0, 1), List.of(1, 2)), 0, false, SUM), "a repeated id");
        assertThrows(IllegalArgumentException.class, () -> new Attributes.Collective(List.of(List.of(0)), 0, true, SUM), "global ids without a channel");
        assertThrows(IllegalArgumentException.class, () -> new Attributes.Permutation(List.of(List.of(0, 1), List.of(2, 1)), 0), "a repeated target");
        var gatherWithReduction = new Attributes.Collective(List.of(List.of(0)), 0, false, SUM);
        assertThrows(IllegalArgumentException.class, () -> CollectiveGroups.processGroups(CollectiveOp.ALL_GATHER, gatherWithReduction, 1, 1));
    }
}
