package dev.crossbar.spi.graph;

import dev.crossbar.api.distributed.DeviceMesh;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Resolves the attributes of a collective node to StableHLO process groups on a grid of {@code numReplicas} by
 * {@code numPartitions} processes, by the four strategies of the StableHLO specification ("Collective ops":
 * {@code cross_replica}, {@code cross_partition}, {@code cross_replica_and_partition}, {@code flattened_ids}), and
 * builds replica groups from a {@link DeviceMesh}. Crossbar's SPMD programs run one replica per rank and one partition,
 * so rank {@code r} is replica {@code r}.
 */
public final class CollectiveGroups {
    private CollectiveGroups() {
    }

    /**
     * A process of the StableHLO process grid.
     *
     * @param replica the replica id
     * @param partition the partition id
     */
    public record ProcessId(int replica, int partition) {
    }

    /**
     * Returns the replica groups of a collective along one mesh axis: one group per line of the mesh along that axis,
     * in the row-major order of the other coordinates, each listing its ranks in ascending order, because that is the
     * order of group ranks in the {@link dev.crossbar.api.distributed.ProcessGroup} that
     * {@code RankContext.group(mesh, axis)} returns, and so the order of all_gather's and reduce_scatter's chunks. On a
     * 2x4 mesh {@code ("dp", "tp")} of ranks 0..7, {@code "tp"} gives {@code [[0, 1, 2, 3], [4, 5, 6, 7]]} and
     * {@code "dp"} gives {@code [[0, 4], [1, 5], [2, 6], [3, 7]]}.
     *
     * @param mesh the mesh; its ranks are the replica ids of the program, so they must be {@code 0 .. size-1}
     * @param axisName the axis the collective runs along
     * @return the groups, covering every rank of the mesh once
     * @throws IllegalArgumentException if the axis does not exist or the mesh's ranks are not {@code 0 .. size-1}
     */
    public static List<List<Integer>> alongAxis(DeviceMesh mesh, String axisName) {
        List<Integer> ranks = mesh.ranks().stream().sorted().toList();
        if (!ranks.equals(IntStream.range(0, mesh.size()).boxed().toList())) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "an SPMD program numbers its replicas 0..%d, but %s holds ranks %s; build the mesh over every rank of the program", mesh.size() - 1, mesh, mesh.ranks()));
        }
        return mesh.groupsAlong(axisName).stream().map(group -> group.stream().sorted().toList()).toList();
    }

    /**
     * Returns the source-target pairs of a {@code collective_permute} that shifts values along one mesh axis: in every
     * group of {@link #alongAxis}, group rank {@code k} sends to group rank {@code (k + shift) mod n}, as a ring
     * exchange of pipeline or sequence parallelism written with {@code send} and {@code recv} on that group does.
     *
     * @param mesh the mesh; its ranks must be {@code 0 .. size-1}, as for {@link #alongAxis}
     * @param axisName the axis
     * @param shift how many places each value moves, may be negative
     * @return one {@code [source, target]} pair per rank
     */
    public static List<List<Integer>> shiftAlongAxis(DeviceMesh mesh, String axisName, int shift) {
        List<List<Integer>> pairs = new ArrayList<>();
        for (List<Integer> line : alongAxis(mesh, axisName)) {
            int n = line.size();
            for (int k = 0; k < n; k++) {
                pairs.add(List.of(line.get(k), line.get(Math.floorMod(k + shift, n))));
            }
        }
        return List.copyOf(pairs);
    }

    /**
     * Resolves a collective node's attributes to process groups.
     *
     * @param op the collective
     * @param attributes its {@link Attributes.Collective}, or {@link Attributes.Permutation} for
     *     {@code collective_permute} (whose groups are its source-target pairs)
     * @param numReplicas replicas of the program, at least 1
     * @param numPartitions partitions of the program, at least 1
     * @return the process groups; for {@code collective_permute}, one {@code [source, target]} group per pair
     * @throws IllegalArgumentException if the attributes do not fit the op, an id is outside the grid, or (for
     *     every collective but {@code collective_permute}) the groups do not cover every id once, as the specification
     *     requires
     */
    public static List<List<ProcessId>> processGroups(CollectiveOp op, Attributes attributes, int numReplicas, int numPartitions) {
        if (numReplicas < 1 || numPartitions < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a process grid needs at least 1 replica and 1 partition, got %d x %d", numReplicas, numPartitions));
        }
        if (op == CollectiveOp.COLLECTIVE_PERMUTE) {
            if (!(attributes instanceof Attributes.Permutation p)) {
                throw new IllegalArgumentException("collective_permute takes source-target pairs, not " + attributes);
            }
            return p.channelId() <= 0 ? crossReplica(p.sourceTargetPairs(), numReplicas, numPartitions, false)
                    : crossPartition(p.sourceTargetPairs(), numReplicas, numPartitions, false);
        }
        if (!(attributes instanceof Attributes.Collective c)) {
            throw new IllegalArgumentException(op.opName() + " takes replica groups, not " + attributes);
        }
        boolean reduces = op == CollectiveOp.ALL_REDUCE || op == CollectiveOp.REDUCE_SCATTER;
        if (reduces != c.reduction().isPresent()) {
            throw new IllegalArgumentException(op.opName() + (reduces ? " needs a reduction" : " takes no reduction") + ", got " + c);
        }
        if (op == CollectiveOp.ALL_TO_ALL) {
            if (c.useGlobalDeviceIds()) {
                throw new IllegalArgumentException("all_to_all has no use_global_device_ids in StableHLO; got " + c);
            }
            return c.channelId() <= 0 ? crossReplica(c.replicaGroups(), numReplicas, numPartitions, true)
                    : crossPartition(c.replicaGroups(), numReplicas, numPartitions, true);
        }
        if (c.channelId() <= 0) {
            return crossReplica(c.replicaGroups(), numReplicas, numPartitions, true);
        }
        return c.useGlobalDeviceIds() ? flattenedIds(c.replicaGroups(), numReplicas, numPartitions)
                : crossReplicaAndPartition(c.replicaGroups(), numReplicas, numPartitions);
    }

    private static List<List<ProcessId>> crossReplica(List<List<Integer>> groups, int replicas, int partitions, boolean cover) {
        checkIds(groups, replicas, "replica", cover);
        List<List<ProcessId>> out = new ArrayList<>();
        for (List<Integer> group : groups) {
            for (int partition = 0; partition < partitions; partition++) {
                int p = partition;
                out.add(group.stream().map(replica -> new ProcessId(replica, p)).toList());
            }
        }
        return List.copyOf(out);
    }

    private static List<List<ProcessId>> crossPartition(List<List<Integer>> groups, int replicas, int partitions, boolean cover) {
        checkIds(groups, partitions, "partition", cover);
        List<List<ProcessId>> out = new ArrayList<>();
        for (List<Integer> group : groups) {
            for (int replica = 0; replica < replicas; replica++) {
                int r = replica;
                out.add(group.stream().map(partition -> new ProcessId(r, partition)).toList());
            }
        }
        return List.copyOf(out);
    }

    private static List<List<ProcessId>> crossReplicaAndPartition(List<List<Integer>> groups, int replicas, int partitions) {
        checkIds(groups, replicas, "replica", true);
        List<List<ProcessId>> out = new ArrayList<>();
        for (List<Integer> group : groups) {
            List<ProcessId> processes = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                for (int replica : group) {
                    processes.add(new ProcessId(replica, partition));
                }
            }
            out.add(List.copyOf(processes));
        }
        return List.copyOf(out);
    }

    private static List<List<ProcessId>> flattenedIds(List<List<Integer>> groups, int replicas, int partitions) {
        checkIds(groups, replicas * partitions, "flattened process", true);
        return groups.stream().map(g -> g.stream().map(id -> new ProcessId(id / partitions, id % partitions)).toList()).toList();
    }

    private static void checkIds(List<List<Integer>> groups, int count, String kind, boolean cover) {
        Set<Integer> seen = new HashSet<>();
        for (List<Integer> group : groups) {
            for (int id : group) {
                if (id >= count) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "%s id %d in %s is outside the grid, which has %d %s ids", kind, id, groups, count, kind));
                }
                seen.add(id);
            }
        }
        if (cover && seen.size() != count) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the groups %s must cover every %s id 0..%d once (StableHLO process grouping); list the groups of every process of the program", groups, kind, count - 1));
        }
    }

    /** Freezes replica groups and checks that they are non-empty, of one size, with ids {@code >= 0} that never repeat. */
    static List<List<Integer>> checkedGroups(List<List<Integer>> groups, String what) {
        List<List<Integer>> frozen = groups.stream().map(List::copyOf).toList();
        if (frozen.isEmpty() || frozen.getFirst().isEmpty()) {
            throw new IllegalArgumentException(what + " need at least one non-empty group, got " + frozen);
        }
        Set<Integer> seen = new HashSet<>();
        for (List<Integer> group : frozen) {
            if (group.size() != frozen.getFirst().size()) {
                throw new IllegalArgumentException(what + " must all have one size, got " + frozen);
            }
            for (int id : group) {
                if (id < 0 || !seen.add(id)) {
                    throw new IllegalArgumentException(what + " hold ids >= 0, each once, got " + frozen);
                }
            }
        }
        return frozen;
    }
}
