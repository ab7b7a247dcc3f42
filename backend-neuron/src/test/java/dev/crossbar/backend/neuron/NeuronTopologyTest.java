package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossbar.api.distributed.DeviceMesh;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Topologies of documented instance shapes (sources on NeuronChip and NeuronInstanceType). */
class NeuronTopologyTest {

    private static NeuronTopology topology(String instance, Map<String, String> environment) {
        return NeuronTopology.of(NeuronInstanceType.named(instance), environment::get);
    }

    private static List<Integer> range(int from, int toInclusive) {
        return IntStream.rangeClosed(from, toInclusive).boxed().toList();
    }

    @Test
    void trainiumHasTwoCoresPerChip() {
        NeuronTopology small = topology("trn1.2xlarge", Map.of());
        NeuronTopology large = topology("trn1.32xlarge", Map.of());

        assertEquals(List.of(0, 1), small.visibleCores());
        assertEquals(1, small.logicalCoreConfig());
        assertEquals(32, large.logicalCores());
        assertEquals(range(0, 31), large.visibleCores());
        assertEquals(15, large.deviceOf(31));
        assertEquals(7, large.deviceOf(14));
    }

    @Test
    void trainium2ExposesItsEightPhysicalCoresAsLogicalCores() {
        NeuronTopology byDefault = topology("trn2.48xlarge", Map.of());
        NeuronTopology lnc1 = topology("trn2.48xlarge", Map.of("NEURON_LOGICAL_NC_CONFIG", "1"));

        assertEquals(2, byDefault.logicalCoreConfig());
        assertEquals(64, byDefault.logicalCores());
        assertEquals(4, byDefault.logicalCoresPerDevice());
        assertEquals(15, byDefault.deviceOf(63));
        assertEquals(128, lnc1.logicalCores());
        assertEquals(8, lnc1.logicalCoresPerDevice());
        assertEquals(15, lnc1.deviceOf(127));
    }

    @Test
    void inferentia2HasTwoCoresPerChip() {
        assertEquals(2, topology("inf2.xlarge", Map.of()).logicalCores());
        assertEquals(2, topology("inf2.8xlarge", Map.of()).logicalCores());
        assertEquals(12, topology("inf2.24xlarge", Map.of()).logicalCores());
        assertEquals(24, topology("inf2.48xlarge", Map.of()).logicalCores());
    }

    @Test
    void anLncTheChipDoesNotSupportNamesBoth() {
        var trn1 = assertThrows(NeuronConfigurationException.class, () -> topology("trn1.32xlarge", Map.of("NEURON_LOGICAL_NC_CONFIG", "2")));
        var trn2 = assertThrows(NeuronConfigurationException.class, () -> topology("trn2.48xlarge", Map.of("NEURON_LOGICAL_NC_CONFIG", "4")));

        assertEquals("NEURON_LOGICAL_NC_CONFIG=2 is not supported on trn1.32xlarge (Trainium): the logical NeuronCore configurations it"
                + " accepts are [1]", trn1.getMessage());
        assertEquals("NEURON_LOGICAL_NC_CONFIG=4 is not supported on trn2.48xlarge (Trainium2): the logical NeuronCore configurations it"
                + " accepts are [1, 2]", trn2.getMessage());
    }

    @Test
    void visibleCoresAreHonoured() {
        assertEquals(range(4, 7), topology("trn1.32xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "4-7")).visibleCores());
        assertEquals(List.of(63), topology("trn2.48xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "63")).visibleCores());
        assertEquals(range(0, 3), topology("trn1.32xlarge", Map.of("NEURON_RT_NUM_CORES", "4")).visibleCores());
        assertEquals(range(0, 31), topology("trn1.32xlarge", Map.of("NEURON_RT_NUM_CORES", "0")).visibleCores());
        assertEquals(range(8, 15), topology("trn1.32xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "8-15", "NEURON_RT_NUM_CORES", "8")).visibleCores());
    }

    @Test
    void aCoreSetThatDoesNotExistNamesTheSetAndTheCores() {
        var beyond = assertThrows(NeuronConfigurationException.class, () -> topology("trn2.48xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "60-64")));
        var lnc1 = topology("trn2.48xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "60-64", "NEURON_LOGICAL_NC_CONFIG", "1"));
        var malformed = assertThrows(NeuronConfigurationException.class, () -> topology("trn1.2xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "0,1")));
        var tooMany = assertThrows(NeuronConfigurationException.class, () -> topology("inf2.xlarge", Map.of("NEURON_RT_NUM_CORES", "3")));
        var disagree = assertThrows(NeuronConfigurationException.class,
                () -> topology("trn1.32xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "0-3", "NEURON_RT_NUM_CORES", "2")));

        assertEquals("NEURON_RT_VISIBLE_CORES=60-64 names cores that do not exist: trn2.48xlarge has logical NeuronCores 0-63 (16 Trainium2"
                + " chips x 8 physical NeuronCore-v3, NEURON_LOGICAL_NC_CONFIG=2)", beyond.getMessage());
        assertEquals(range(60, 64), lnc1.visibleCores());
        assertEquals("NEURON_RT_VISIBLE_CORES=0,1 is neither a core index nor an inclusive range such as 0-3", malformed.getMessage());
        assertEquals("NEURON_RT_NUM_CORES=3 is not a core count this instance has: inf2.xlarge has 2 logical NeuronCores (1 Inferentia2 chips"
                + " x 2 physical NeuronCore-v2, NEURON_LOGICAL_NC_CONFIG=1); use 1 to 2, or 0 for all", tooMany.getMessage());
        assertEquals("NEURON_RT_VISIBLE_CORES=0-3 names 4 cores but NEURON_RT_NUM_CORES=2 asks for 2; set only one of them, or make them agree",
                disagree.getMessage());
    }

    @Test
    void ranksMapToVisibleLogicalCoresNodeByNode() {
        NeuronTopology topology = topology("trn1.32xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "8-15"));

        assertEquals(16, topology.worldSize(2));
        assertEquals(8, topology.coreOfRank(0, 2));
        assertEquals(9, topology.coreOfRank(9, 2));
        assertEquals(1, topology.nodeOfRank(9, 2));
        assertEquals("NEURON_RT_VISIBLE_CORES=15", topology.visibleCoresSettingForRank(7, 2));
        var e = assertThrows(NeuronConfigurationException.class, () -> topology.coreOfRank(16, 2));
        assertEquals("rank 16 does not exist: 2 node(s) x 8 visible NeuronCores (cores 8-15) give ranks 0-15", e.getMessage());
    }

    @Test
    void meshesMustFitTheConnectedCores() {
        NeuronTopology trn2 = topology("trn2.48xlarge", Map.of());
        NeuronTopology trn2FourCores = topology("trn2.48xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "4-7"));

        trn2.checkFsdpMesh(DeviceMesh.of(new int[] {64}, "shard"), 1);
        trn2.checkFsdpMesh(DeviceMesh.of(new int[] {32}, "shard"), 1);
        trn2.checkMesh(DeviceMesh.of(new int[] {4, 16, 2}, "dp", "fsdp", "tp"), 2);
        trn2FourCores.checkFsdpMesh(DeviceMesh.of(new int[] {8}, "shard"), 2);
        DeviceMesh oneInstanceTooWide = DeviceMesh.of(new int[] {72}, "shard");
        DeviceMesh eightOnFourCores = DeviceMesh.of(new int[] {8}, "shard");
        var tooWide = assertThrows(NeuronConfigurationException.class, () -> trn2.checkFsdpMesh(oneInstanceTooWide, 1));
        var pinned = assertThrows(NeuronConfigurationException.class, () -> trn2FourCores.checkFsdpMesh(eightOnFourCores, 1));
        var twoDimensional = assertThrows(NeuronConfigurationException.class,
                () -> trn2.checkFsdpMesh(DeviceMesh.of(new int[] {2, 32}, "replicate", "shard"), 1));

        assertEquals("device mesh " + oneInstanceTooWide + " needs a NeuronCore for rank(s) " + range(64, 71) + ", but 1 node(s) x 64 visible"
                + " cores (cores 0-63 on trn2.48xlarge, NEURON_LOGICAL_NC_CONFIG=2) give ranks 0-63; run at most 64 ranks per node, or make more"
                + " cores visible with NEURON_RT_VISIBLE_CORES", tooWide.getMessage());
        assertEquals("device mesh " + eightOnFourCores + " needs a NeuronCore for rank(s) [4, 5, 6, 7], but 1 node(s) x 4 visible cores (cores 4-7"
                + " on trn2.48xlarge, NEURON_LOGICAL_NC_CONFIG=2) give ranks 0-3; run at most 4 ranks per node, or make more cores visible with"
                + " NEURON_RT_VISIBLE_CORES", pinned.getMessage());
        assertEquals("FSDP shards over a 1-D device mesh, not " + DeviceMesh.of(new int[] {2, 32}, "replicate", "shard")
                + "; use HSDP for a 2-D (replicate x shard) mesh", twoDimensional.getMessage());
    }

    @Test
    void shardingMeshesAreReadAsFsdpWithOneAxisAndAsReplicateThenShardWithTwo() {
        NeuronTopology trn1 = topology("trn1.32xlarge", Map.of());
        NeuronTopology inf2 = topology("inf2.xlarge", Map.of());
        int[] shardAcrossNodes = new int[64];
        for (int i = 0; i < 32; i++) {
            shardAcrossNodes[2 * i] = i;
            shardAcrossNodes[2 * i + 1] = i + 32;
        }
        DeviceMesh spansNodes = DeviceMesh.of(new int[] {32, 2}, shardAcrossNodes, "dp", "fsdp");
        DeviceMesh fourOnTwoCores = DeviceMesh.of(new int[] {4}, "shard");

        trn1.checkShardingMesh(DeviceMesh.of(new int[] {32}, "shard"), 1);
        trn1.checkShardingMesh(DeviceMesh.of(new int[] {2, 32}, "dp", "fsdp"), 2);
        inf2.checkShardingMesh(DeviceMesh.of(new int[] {2}, "shard"), 1);
        var hsdp = assertThrows(NeuronConfigurationException.class, () -> trn1.checkShardingMesh(spansNodes, 2));
        var fsdp = assertThrows(NeuronConfigurationException.class, () -> inf2.checkShardingMesh(fourOnTwoCores, 1));

        assertEquals("HSDP shard group [0, 32] of mesh " + spansNodes + " spans nodes [0, 1]; each shard group must stay on one instance"
                + " (32 visible NeuronCores per node), so make the 'fsdp' axis at most 32 long and a divisor of it", hsdp.getMessage());
        assertEquals("device mesh " + fourOnTwoCores + " needs a NeuronCore for rank(s) [2, 3], but 1 node(s) x 2 visible cores (cores 0-1 on"
                + " inf2.xlarge, NEURON_LOGICAL_NC_CONFIG=1) give ranks 0-1; run at most 2 ranks per node, or make more cores visible with"
                + " NEURON_RT_VISIBLE_CORES", fsdp.getMessage());
    }

    @Test
    void hsdpShardGroupsStayOnOneInstance() {
        NeuronTopology trn1 = topology("trn1.32xlarge", Map.of());

        trn1.checkHsdpMesh(DeviceMesh.of(new int[] {2, 32}, "replicate", "shard"), 2, "replicate", "shard");
        trn1.checkHsdpMesh(DeviceMesh.of(new int[] {4, 16}, "replicate", "shard"), 2, "replicate", "shard");
        trn1.checkHsdpMesh(DeviceMesh.of(new int[] {32, 2}, "replicate", "shard"), 2, "replicate", "shard");
        DeviceMesh transposed = DeviceMesh.of(new int[] {2, 32}, "shard", "replicate");
        var e = assertThrows(NeuronConfigurationException.class, () -> trn1.checkHsdpMesh(transposed, 2, "replicate", "shard"));

        assertEquals("HSDP shard group [0, 32] of mesh " + transposed + " spans nodes [0, 1]; each shard group must stay on one instance"
                + " (32 visible NeuronCores per node), so make the 'shard' axis at most 32 long and a divisor of it", e.getMessage());
    }

    @Test
    void processGroupsGetOneVisibleCorePerRank() {
        NeuronTopology trn1 = topology("trn1.32xlarge", Map.of());
        NeuronTopology trn2 = topology("trn2.48xlarge", Map.of("NEURON_RT_VISIBLE_CORES", "4-7"));
        NeuronTopology inf2 = topology("inf2.xlarge", Map.of());

        assertEquals(range(0, 31), trn1.checkGroup("world", range(0, 31), 1));
        assertEquals(List.of(1, 17, 31), trn1.checkGroup("group [1, 17, 31]", List.of(1, 17, 31), 1));
        assertEquals(List.of(4, 5, 6, 7), trn2.checkGroup("world", range(0, 3), 1));
        assertEquals(List.of(5, 7), trn2.checkGroup("group [5, 7]", List.of(5, 7), 2));
        var tooManyForLnc2 = assertThrows(NeuronConfigurationException.class, () -> trn2.checkGroup("world [0..7]", range(0, 7), 1));
        var tooManyForInf2 = assertThrows(NeuronConfigurationException.class, () -> inf2.checkGroup("world [0, 1, 2, 3]", range(0, 3), 1));

        assertEquals("process group world [0..7] needs a NeuronCore for rank(s) [4, 5, 6, 7], but 1 node(s) x 4 visible cores (cores 4-7 on"
                + " trn2.48xlarge, NEURON_LOGICAL_NC_CONFIG=2) give ranks 0-3; run at most 4 ranks per node, or make more cores visible with"
                + " NEURON_RT_VISIBLE_CORES", tooManyForLnc2.getMessage());
        assertEquals("process group world [0, 1, 2, 3] needs a NeuronCore for rank(s) [2, 3], but 1 node(s) x 2 visible cores (cores 0-1 on"
                + " inf2.xlarge, NEURON_LOGICAL_NC_CONFIG=1) give ranks 0-1; run at most 2 ranks per node, or make more cores visible with"
                + " NEURON_RT_VISIBLE_CORES", tooManyForInf2.getMessage());
    }

    @Test
    void anUnknownInstanceTypeListsTheKnownOnes() {
        var e = assertThrows(NeuronConfigurationException.class, () -> NeuronInstanceType.named("p5.48xlarge"));

        assertEquals("instance type 'p5.48xlarge' is not one Crossbar knows the Neuron topology of; known: [trn1.2xlarge, trn1.32xlarge,"
                + " trn1n.32xlarge, trn2.48xlarge, inf2.xlarge, inf2.8xlarge, inf2.24xlarge, inf2.48xlarge]", e.getMessage());
    }
}
