package dev.crossbar.spi.graph;

import dev.crossbar.api.distributed.ReduceOp;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The static parameters of a node beyond its operands and result type; part of the graph's structure. */
public sealed interface Attributes {
    /** No parameters (element-wise ops, casts, reshape, broadcast_to, full, rng). */
    None NONE = new None();

    /** The attributes of ops without parameters. */
    record None() implements Attributes {
    }

    /**
     * Axes: the reduced axes of a reduction; the single axis of iota, argmax, concat, gather and scatter_add; the
     * permutation of permute.
     *
     * @param axes the axes, in the order the op defines
     */
    record Axes(List<Integer> axes) implements Attributes {
        /**
         * Freezes the axes.
         *
         * @param axes the axes
         */
        public Axes {
            axes = List.copyOf(axes);
        }

        /**
         * Returns attributes with the given axes.
         *
         * @param axes the axes
         * @return the attributes
         */
        public static Axes of(int... axes) {
            return new Axes(java.util.Arrays.stream(axes).boxed().toList());
        }

        /**
         * Returns the axes as an array.
         *
         * @return a new array
         */
        public int[] toArray() {
            return axes.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * The window of a slice: per axis, the first index, the exclusive limit and the step.
     *
     * @param start first index per axis
     * @param limit exclusive end per axis
     * @param step step per axis, at least 1
     */
    record Window(List<Integer> start, List<Integer> limit, List<Integer> step) implements Attributes {
        /**
         * Freezes the window and checks that the three lists have one entry per axis.
         *
         * @param start first index per axis
         * @param limit exclusive end per axis
         * @param step step per axis
         */
        public Window {
            start = List.copyOf(start);
            limit = List.copyOf(limit);
            step = List.copyOf(step);
            if (start.size() != limit.size() || start.size() != step.size()) {
                throw new IllegalArgumentException("a window needs one start, limit and step per axis, got " + start + ", " + limit + ", " + step);
            }
        }
    }

    /**
     * The padding of a pad node: elements added before and after each axis.
     *
     * @param low elements before, per axis
     * @param high elements after, per axis
     */
    record Padding(List<Integer> low, List<Integer> high) implements Attributes {
        /**
         * Freezes the padding.
         *
         * @param low elements before, per axis
         * @param high elements after, per axis
         */
        public Padding {
            low = List.copyOf(low);
            high = List.copyOf(high);
        }
    }

    /**
     * The process groups of {@code all_reduce}, {@code all_gather}, {@code reduce_scatter} and {@code all_to_all}, with
     * the meaning StableHLO gives them: with {@code channelId <= 0} the groups list replica ids ({@code cross_replica});
     * with {@code channelId > 0} and {@code useGlobalDeviceIds} false they list replica ids and every partition of
     * those replicas joins ({@code cross_replica_and_partition}); with {@code useGlobalDeviceIds} they list flattened
     * ids {@code replica * numPartitions + partition} ({@code flattened_ids}). {@code all_to_all} has no
     * {@code useGlobalDeviceIds}: a positive channel makes its groups partition ids ({@code cross_partition}).
     * {@link CollectiveGroups} resolves them to processes.
     *
     * @param replicaGroups the groups, all of one size; the order inside a group is the order of gathered chunks
     * @param channelId the channel, or 0 for none
     * @param useGlobalDeviceIds whether the groups hold flattened ids; needs a positive channel
     * @param reduction how {@code all_reduce} and {@code reduce_scatter} combine; empty for the other collectives
     */
    record Collective(List<List<Integer>> replicaGroups, long channelId, boolean useGlobalDeviceIds,
            Optional<ReduceOp> reduction) implements Attributes {
        /**
         * Freezes the groups and checks them: at least one group, all of one non-zero size, ids {@code >= 0} and each
         * id in one group only.
         *
         * @param replicaGroups the groups
         * @param channelId the channel, or 0
         * @param useGlobalDeviceIds whether the groups hold flattened ids
         * @param reduction the combination, or empty
         * @throws IllegalArgumentException if a check fails, naming the groups
         */
        public Collective {
            replicaGroups = CollectiveGroups.checkedGroups(replicaGroups, "replica groups");
            Objects.requireNonNull(reduction, "reduction is null");
            if (useGlobalDeviceIds && channelId <= 0) {
                throw new IllegalArgumentException("use_global_device_ids needs a positive channel id (StableHLO all_reduce C4), got " + channelId);
            }
        }
    }

    /**
     * The pairs of {@code collective_permute}: the process {@code pair[0]} sends to {@code pair[1]}. With
     * {@code channelId <= 0} the ids are replica ids, otherwise partition ids, as StableHLO defines it.
     *
     * @param sourceTargetPairs the pairs; every source and every target appears once
     * @param channelId the channel, or 0 for none
     */
    record Permutation(List<List<Integer>> sourceTargetPairs, long channelId) implements Attributes {
        /**
         * Freezes the pairs and checks them.
         *
         * @param sourceTargetPairs the pairs
         * @param channelId the channel, or 0
         * @throws IllegalArgumentException if a pair does not have two ids, an id is negative or a source or target
         *     repeats
         */
        public Permutation {
            sourceTargetPairs = sourceTargetPairs.stream().map(List::copyOf).toList();
            Set<Integer> sources = new HashSet<>();
            Set<Integer> targets = new HashSet<>();
            for (List<Integer> pair : sourceTargetPairs) {
                if (pair.size() != 2 || pair.get(0) < 0 || pair.get(1) < 0) {
                    throw new IllegalArgumentException("a source-target pair is two ids >= 0, got " + pair + " in " + sourceTargetPairs);
                }
                if (!sources.add(pair.get(0)) || !targets.add(pair.get(1))) {
                    throw new IllegalArgumentException("every source and every target of collective_permute appears once (StableHLO C2, C3), got " + sourceTargetPairs);
                }
            }
        }
    }
}
