package dev.crossbar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
