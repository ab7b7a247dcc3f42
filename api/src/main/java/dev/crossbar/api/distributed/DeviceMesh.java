package dev.crossbar.api.distributed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An n-dimensional arrangement of ranks with named axes, as PyTorch's {@code DeviceMesh} and JAX's {@code Mesh}. A
 * 2 x 2 mesh for hybrid sharding replicates along one axis and shards along the other:
 *
 * <pre>{@code
 * DeviceMesh mesh = DeviceMesh.of(new int[] {2, 2}, "replicate", "shard");
 * // ranks, row-major:  [[0, 1],
 * //                     [2, 3]]
 * mesh.groupAlong("shard", 2);      // [2, 3]: the ranks that share rank 2's "replicate" coordinate
 * mesh.groupAlong("replicate", 2);  // [0, 2]
 * }</pre>
 *
 * <p>The group along an axis is the process group a rank uses for that axis's collectives; a rank context turns it
 * into a {@link ProcessGroup}. Meshes are immutable.
 */
public final class DeviceMesh {
    private final int[] shape;
    private final List<String> axisNames;
    private final int[] ranks;

    private DeviceMesh(int[] shape, int[] ranks, List<String> axisNames) {
        this.shape = shape;
        this.ranks = ranks;
        this.axisNames = axisNames;
    }

    /**
     * Arranges ranks {@code 0 .. size - 1} row-major in a mesh of the given shape.
     *
     * @param shape the extent of each axis, each at least 1
     * @param axisNames one distinct, non-blank name per axis
     * @return the mesh
     * @throws IllegalArgumentException if the shape is empty, an extent is below 1, or the names do not match the
     *     axes one to one
     */
    public static DeviceMesh of(int[] shape, String... axisNames) {
        Objects.requireNonNull(shape, "shape is null");
        long size = checkShape(shape, axisNames);
        int[] ranks = new int[(int) size];
        Arrays.setAll(ranks, i -> i);
        return new DeviceMesh(shape.clone(), ranks, List.of(axisNames));
    }

    /**
     * Arranges the given ranks row-major in a mesh of the given shape.
     *
     * @param shape the extent of each axis, each at least 1
     * @param ranks distinct global ranks, as many as the product of the extents
     * @param axisNames one distinct, non-blank name per axis
     * @return the mesh
     * @throws IllegalArgumentException if the shape or names are invalid as for {@link #of(int[], String...)}, or the
     *     ranks are negative, repeated or of the wrong count
     */
    public static DeviceMesh of(int[] shape, int[] ranks, String... axisNames) {
        Objects.requireNonNull(shape, "shape is null");
        Objects.requireNonNull(ranks, "ranks is null");
        long size = checkShape(shape, axisNames);
        if (ranks.length != size) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "A mesh of shape %s holds %d ranks but %d were given: %s", Arrays.toString(shape), size, ranks.length, Arrays.toString(ranks)));
        }
        Set<Integer> seen = new HashSet<>();
        for (int r : ranks) {
            if (r < 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Ranks must be >= 0, got %d in %s", r, Arrays.toString(ranks)));
            }
            if (!seen.add(r)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Rank %d appears twice in %s; each rank sits at one place of the mesh", r, Arrays.toString(ranks)));
            }
        }
        return new DeviceMesh(shape.clone(), ranks.clone(), List.of(axisNames));
    }

    private static long checkShape(int[] shape, String[] axisNames) {
        Objects.requireNonNull(axisNames, "axisNames is null");
        if (shape.length == 0) {
            throw new IllegalArgumentException("A mesh needs at least one axis, got shape []");
        }
        if (axisNames.length != shape.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "A mesh of shape %s has %d axes but %d names were given: %s; name every axis once",
                    Arrays.toString(shape), shape.length, axisNames.length, Arrays.toString(axisNames)));
        }
        Set<String> names = new HashSet<>();
        for (String name : axisNames) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("Mesh axis names must be non-blank, got " + Arrays.toString(axisNames));
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Mesh axis name '%s' appears twice in %s", name, Arrays.toString(axisNames)));
            }
        }
        long size = 1;
        for (int extent : shape) {
            if (extent < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Mesh extents must be >= 1, got shape %s", Arrays.toString(shape)));
            }
            size *= extent;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Mesh of shape " + Arrays.toString(shape) + " has more ranks than an int holds");
            }
        }
        return size;
    }

    /**
     * Returns the number of ranks in the mesh.
     *
     * @return the product of the extents
     */
    public int size() {
        return ranks.length;
    }

    /**
     * Returns the extent of each axis.
     *
     * @return a copy of the shape
     */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * Returns the number of axes.
     *
     * @return the mesh's rank (number of dimensions)
     */
    public int ndim() {
        return shape.length;
    }

    /**
     * Returns the axis names, in axis order.
     *
     * @return the names
     */
    public List<String> axisNames() {
        return axisNames;
    }

    /**
     * Returns the index of a named axis.
     *
     * @param axisName the name
     * @return the axis index, from 0
     * @throws IllegalArgumentException if no axis has that name; the message lists the names
     */
    public int axis(String axisName) {
        int axis = axisNames.indexOf(axisName);
        if (axis < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Mesh has no axis '%s'; its axes are %s", axisName, axisNames));
        }
        return axis;
    }

    /**
     * Returns the extent of a named axis.
     *
     * @param axisName the name
     * @return the number of ranks along it
     */
    public int size(String axisName) {
        return shape[axis(axisName)];
    }

    /**
     * Returns the global ranks of the mesh in row-major order.
     *
     * @return the ranks
     */
    public List<Integer> ranks() {
        return Arrays.stream(ranks).boxed().toList();
    }

    /**
     * Tells whether a rank belongs to the mesh.
     *
     * @param rank a global rank
     * @return true when it sits somewhere in the mesh
     */
    public boolean contains(int rank) {
        return indexOf(rank) >= 0;
    }

    /**
     * Returns where a rank sits in the mesh.
     *
     * @param rank a global rank of the mesh
     * @return its coordinate, one index per axis
     * @throws IllegalArgumentException if the rank is not in the mesh
     */
    public int[] coordinate(int rank) {
        int index = indexOf(rank);
        if (index < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Rank %d is not in %s", rank, this));
        }
        int[] coordinate = new int[shape.length];
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            coordinate[axis] = index % shape[axis];
            index /= shape[axis];
        }
        return coordinate;
    }

    /**
     * Returns the rank at a coordinate.
     *
     * @param coordinate one index per axis
     * @return the global rank there
     * @throws IllegalArgumentException if the coordinate has the wrong length or lies outside the mesh
     */
    public int rankAt(int... coordinate) {
        if (coordinate.length != shape.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Coordinate %s has %d indices but the mesh has %d axes %s",
                    Arrays.toString(coordinate), coordinate.length, shape.length, axisNames));
        }
        int index = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (coordinate[axis] < 0 || coordinate[axis] >= shape[axis]) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Coordinate %s lies outside the mesh of shape %s",
                        Arrays.toString(coordinate), Arrays.toString(shape)));
            }
            index = index * shape[axis] + coordinate[axis];
        }
        return ranks[index];
    }

    /**
     * Returns the ranks that share every coordinate of {@code rank} except along one axis: the process group of that
     * axis for {@code rank}, in the order of the axis.
     *
     * @param axisName the axis
     * @param rank a global rank of the mesh
     * @return the group's global ranks, {@code size(axisName)} of them, {@code rank} among them
     * @throws IllegalArgumentException if the axis does not exist or the rank is not in the mesh
     */
    public List<Integer> groupAlong(String axisName, int rank) {
        int axis = axis(axisName);
        int[] coordinate = coordinate(rank);
        List<Integer> group = new ArrayList<>(shape[axis]);
        for (int i = 0; i < shape[axis]; i++) {
            coordinate[axis] = i;
            group.add(rankAt(coordinate));
        }
        return List.copyOf(group);
    }

    /**
     * Returns the one-axis mesh of {@link #groupAlong(String, int)}: the ranks along an axis through {@code rank}.
     *
     * @param axisName the axis
     * @param rank a global rank of the mesh
     * @return the sub-mesh, whose only axis has the same name
     */
    public DeviceMesh subMesh(String axisName, int rank) {
        int[] group = groupAlong(axisName, rank).stream().mapToInt(Integer::intValue).toArray();
        return new DeviceMesh(new int[] {group.length}, group, List.of(axisName));
    }

    /**
     * Returns every group along an axis: one per combination of the other coordinates, in row-major order.
     *
     * @param axisName the axis
     * @return the groups, each a list of global ranks
     */
    public List<List<Integer>> groupsAlong(String axisName) {
        int axis = axis(axisName);
        List<List<Integer>> groups = new ArrayList<>();
        for (int r : ranks) {
            if (coordinate(r)[axis] == 0) {
                groups.add(groupAlong(axisName, r));
            }
        }
        return List.copyOf(groups);
    }

    private int indexOf(int rank) {
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] == rank) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceMesh m && Arrays.equals(shape, m.shape) && Arrays.equals(ranks, m.ranks) && axisNames.equals(m.axisNames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(shape), Arrays.hashCode(ranks), axisNames);
    }

    @Override
    public String toString() {
        StringBuilder axes = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            axes.append(i == 0 ? "" : ", ").append(axisNames.get(i)).append('=').append(shape[i]);
        }
        return "DeviceMesh[" + axes + ", ranks " + Arrays.toString(ranks) + "]";
    }
}
