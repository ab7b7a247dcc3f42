package dev.crossbar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.SpmdException;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.runtime.fixture.FakeCommunicators.FakeCommunicator;
import dev.crossbar.runtime.fixture.FakeProvider;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpmdTest {
    @Test
    void runsOneRankPerVirtualCpuDeviceWithAWorkingWorldGroup() {
        List<double[]> results = Spmd.call(4, rank -> {
            assertEquals(new Device("cpu", rank.rank()), rank.device());
            assertSame(rank.device(), rank.scope().device());
            Tensor x = rank.scope().full(Shape.of(3), rank.rank(), DType.F32);
            return rank.world().allReduce(x, ReduceOp.AVG).toDoubleArray();
        });
        results.forEach(r -> assertEquals(1.5, r[0]));
    }

    @Test
    void sameRanksGiveTheSameGroupAndMeshAxesGiveTheirGroups() {
        DeviceMesh mesh = DeviceMesh.of(new int[] {2, 2}, "replicate", "shard");
        Spmd.run(4, rank -> {
            ProcessGroup shard = rank.group(mesh, "shard");
            assertSame(shard, rank.group(mesh.groupAlong("shard", rank.rank())));
            assertSame(shard, rank.group(List.copyOf(shard.ranks()).reversed()));
            assertEquals(mesh.groupAlong("shard", rank.rank()), shard.ranks());
        });
    }

    @Test
    void theFirstRankFailureReachesTheCaller() {
        SpmdException e = assertThrows(SpmdException.class, () -> Spmd.run(2, rank -> {
            if (rank.rank() == 0) {
                throw new IllegalStateException("rank 0 fails");
            }
            rank.world().barrier();
        }));
        assertEquals(0, e.rank());
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void aBackendWithItsOwnCollectivesGetsEveryGroupFromItsFactoryBootstrappedInProcess() {
        SpmdOptions options = SpmdOptions.defaults().withCollectiveTimeout(Duration.ofSeconds(20));
        List<List<FakeCommunicator>> groups = Spmd.call(Crossbar.builder().property(FakeProvider.DEVICES_PROPERTY, "3"), 3, options, rank -> {
            ProcessGroup pair = rank.group(rank.rank() == 2 ? List.of(1, 2) : List.of(0, 1));
            if (rank.rank() == 1) {
                pair = rank.group(List.of(0, 1));
                assertSame(pair, rank.group(List.of(1, 0)));
                rank.group(List.of(1, 2));
            }
            FakeCommunicator world = assertInstanceOf(FakeCommunicator.class, rank.world());
            assertFalse(world.isClosed());
            return List.of(world, assertInstanceOf(FakeCommunicator.class, pair));
        });
        for (int r = 0; r < 3; r++) {
            FakeCommunicator world = groups.get(r).getFirst();
            assertEquals(List.of(0, 1, 2), world.ranks());
            assertEquals(r, world.rank());
            assertEquals(new Device(FakeProvider.NAME, r), world.device());
            assertEquals(Duration.ofSeconds(20), world.timeout());
            assertEquals("world [0, 1, 2]", world.membership().name());
            assertEquals(groups.getFirst().getFirst().sharedId(), world.sharedId(), "every rank of a group receives rank zero's bytes");
            assertTrue(world.isClosed(), "closed when the rank's body returned");
            assertNull(world.abortReason());
        }
        FakeCommunicator pairOfRank0 = groups.get(0).get(1);
        assertEquals(List.of(0, 1), pairOfRank0.ranks());
        assertTrue(pairOfRank0.sharedId().endsWith("[0, 1]"), pairOfRank0.sharedId());
        assertEquals(List.of(1, 2), groups.get(2).get(1).ranks());
        assertEquals(1, groups.get(2).get(1).rank());
        assertTrue(groups.get(2).get(1).sharedId().endsWith("[1, 2]"), groups.get(2).get(1).sharedId());
    }

    @Test
    void aFailingRankAbortsTheBackendsCommunicatorsOfEveryRank() {
        List<FakeCommunicator> worlds = new java.util.concurrent.CopyOnWriteArrayList<>();
        assertThrows(SpmdException.class, () -> Spmd.call(Crossbar.builder().property(FakeProvider.DEVICES_PROPERTY, "2"), 2, SpmdOptions.defaults(), rank -> {
            worlds.add((FakeCommunicator) rank.world());
            if (rank.rank() == 1) {
                throw new IllegalStateException("rank 1 fails");
            }
            return null;
        }));
        assertFalse(worlds.isEmpty());
        for (FakeCommunicator world : worlds) {
            assertTrue(world.abortReason().contains("rank 1 failed"), world.abortReason());
        }
    }

    @Test
    void theCpuBackendKeepsTheInProcessCommunicator() {
        Spmd.run(2, rank -> {
            assertEquals("cpu", rank.device().backend());
            assertFalse(rank.world() instanceof FakeCommunicator);
            assertTrue(rank.world().toString().startsWith("world [0, 1]"), rank.world().toString());
        });
    }
}
