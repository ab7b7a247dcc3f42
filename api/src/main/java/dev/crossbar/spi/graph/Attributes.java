package dev.crossbar.spi.graph;

import java.util.List;

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
}
