package dev.crossbar.api.sharding;

import dev.crossbar.api.Grad;
import dev.crossbar.api.Shape;
import dev.crossbar.api.ShapeMismatchException;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.ReduceOp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A tensor distributed over a {@link DeviceMesh}, seen from one rank, as PyTorch's {@code DTensor}: this rank's local
 * tensor, the mesh, one {@link Placement} per mesh axis and the global (unpadded) shape.
 *
 * <p>A {@link Shard} placement splits its dimension into equal chunks of {@code ceil(d / n)} rows padded with zeros
 * at the end (FSDP2's layout); two axes may shard the same dimension, the later one splitting the earlier one's
 * chunk. The collectives of an axis run on {@link RankContext#group(DeviceMesh, String)}, so every rank of the mesh
 * must call {@link #full()} and {@link #redistribute} together.
 *
 * <pre>{@code
 * DTensor w = DTensor.fromFull(weight, mesh, List.of(Placement.shard(0)), rank);  // [ceil(d0 / n), ...] here
 * Tensor whole = w.full();                                                         // all-gather, unpadded
 * }</pre>
 *
 * <p>DTensor operations do not record gradients: collectives are not differentiable on their own ({@link Fsdp}
 * wraps them in custom functions). Results are owned by the scope current on the calling thread; the local tensor of
 * a DTensor made by {@link #fromFull} or {@link #redistribute} is a new tensor that {@link #close()} frees.
 */
public final class DTensor implements AutoCloseable {
    private final Tensor local;
    private final DeviceMesh mesh;
    private final List<Placement> placements;
    private final Shape globalShape;
    private final RankContext rank;

    private DTensor(Tensor local, DeviceMesh mesh, List<Placement> placements, Shape globalShape, RankContext rank) {
        this.local = local;
        this.mesh = mesh;
        this.placements = placements;
        this.globalShape = globalShape;
        this.rank = rank;
    }

    /**
     * Wraps a local tensor that already has the layout {@code placements} describe.
     *
     * @param local this rank's part, whose shape must be {@link #localShape(Shape, DeviceMesh, List)} of the global shape
     * @param mesh the mesh, this rank in it
     * @param placements one per mesh axis
     * @param globalShape the unpadded shape of the whole tensor
     * @param rank this rank's context
     * @return the distributed tensor, owning nothing new ({@link #close()} closes {@code local})
     * @throws ShapeMismatchException if {@code local} has the wrong shape
     */
    public static DTensor fromLocal(Tensor local, DeviceMesh mesh, List<Placement> placements, Shape globalShape, RankContext rank) {
        List<Placement> checked = check(mesh, placements, globalShape, rank);
        Shape expected = localShape(globalShape, mesh, checked);
        if (!local.shape().equals(expected)) {
            throw new ShapeMismatchException("DTensor.fromLocal", expected, local.shape(),
                    "the local tensor of " + globalShape + " placed " + checked + " on mesh " + mesh + " must have the padded chunk shape");
        }
        return new DTensor(local, mesh, checked, globalShape, rank);
    }

    /**
     * Distributes a tensor that every rank of the mesh holds whole: each rank keeps its chunk of every {@link Shard}
     * axis; for a {@link Partial} axis the rank at coordinate 0 keeps the value and the others hold the reduction's
     * identity ({@code 0} for SUM, {@code 1} for PROD; AVG, MAX and MIN keep the value everywhere). No collective runs.
     *
     * @param full the whole tensor, the same on every rank of the mesh
     * @param mesh the mesh, this rank in it
     * @param placements one per mesh axis
     * @param rank this rank's context
     * @return the distributed tensor, whose local part is a new tensor
     */
    public static DTensor fromFull(Tensor full, DeviceMesh mesh, List<Placement> placements, RankContext rank) {
        List<Placement> checked = check(mesh, placements, full.shape(), rank);
        List<Placement> replicated = Collections.nCopies(checked.size(), Placement.replicate());
        try (Grad.Scope off = Grad.noGrad(); TensorScope local = TensorScope.localFor(full)) {
            Tensor t = copy(full);
            DTensor whole = new DTensor(t, mesh, replicated, full.shape(), rank);
            DTensor placed = whole.redistributeInScope(checked);
            return new DTensor(local.keep(placed.local), mesh, checked, full.shape(), rank);
        }
    }

    /**
     * Wraps another local tensor in this one's layout: same mesh, placements, global shape and rank, for state that is
     * laid out like a parameter (an optimizer's moments).
     *
     * @param other a tensor of this one's local shape
     * @return the distributed tensor, owning nothing new ({@link #close()} closes {@code other})
     * @throws ShapeMismatchException if {@code other} has another shape
     */
    public DTensor withLocal(Tensor other) {
        return fromLocal(other, mesh, placements, globalShape, rank);
    }

    /**
     * Returns the shape of every rank's local tensor for a global shape and placements.
     *
     * @param globalShape the unpadded shape
     * @param mesh the mesh
     * @param placements one per mesh axis
     * @return the padded local shape
     */
    public static Shape localShape(Shape globalShape, DeviceMesh mesh, List<Placement> placements) {
        int[] dims = globalShape.dims();
        for (int a = 0; a < placements.size(); a++) {
            if (placements.get(a) instanceof Shard(int d)) {
                dims[d] = Shard.chunk(dims[d], mesh.shape()[a]);
            }
        }
        return Shape.of(dims);
    }

    /**
     * Returns this rank's part.
     *
     * @return the local tensor, padded on sharded dimensions
     */
    public Tensor local() {
        return local;
    }

    /**
     * Returns the mesh.
     *
     * @return the mesh
     */
    public DeviceMesh mesh() {
        return mesh;
    }

    /**
     * Returns the placements, one per mesh axis.
     *
     * @return the placements
     */
    public List<Placement> placements() {
        return placements;
    }

    /**
     * Returns this rank's coordinate in the mesh, which with the placements determines which part of the global tensor
     * {@link #local()} holds.
     *
     * @return one index per mesh axis
     */
    public int[] coordinate() {
        return mesh.coordinate(rank.rank());
    }

    /**
     * Returns the shape of the whole tensor, without padding.
     *
     * @return the global shape
     */
    public Shape globalShape() {
        return globalShape;
    }

    /**
     * Assembles the whole tensor on this rank: all-gathers the sharded axes (dropping the padding) and all-reduces the
     * partial ones. Every rank of the mesh must call it.
     *
     * @return a new tensor of {@link #globalShape()}
     */
    public Tensor full() {
        try (DTensor replicated = redistribute(Collections.nCopies(placements.size(), Placement.replicate()))) {
            try (Grad.Scope off = Grad.noGrad()) {
                return copy(replicated.local);
            }
        }
    }

    /**
     * Changes the placements: {@link Shard} to {@link Replicate} by all-gather, {@link Replicate} to {@link Shard} by
     * taking this rank's chunk, {@link Partial} to {@link Replicate} by all-reduce, {@link Partial} to
     * {@code Shard(0)} by one reduce-scatter (when no later axis shards dim 0), {@link Replicate} to {@link Partial} as
     * {@link #fromFull} does; other changes go through {@link Replicate}. Every rank of the mesh must call it.
     *
     * @param target one placement per mesh axis
     * @return a new distributed tensor with a new local tensor; this one is unchanged
     */
    public DTensor redistribute(List<Placement> target) {
        List<Placement> checked = check(mesh, target, globalShape, rank);
        try (Grad.Scope off = Grad.noGrad(); TensorScope scope = TensorScope.localFor(local)) {
            DTensor out = new DTensor(copy(local), mesh, placements, globalShape, rank).redistributeInScope(checked);
            return new DTensor(scope.keep(out.local), mesh, checked, globalShape, rank);
        }
    }

    /** Redistributes within the current scope, freeing nothing; intermediates belong to that scope. */
    private DTensor redistributeInScope(List<Placement> target) {
        int axes = placements.size();
        List<Placement> current = new ArrayList<>(placements);
        boolean[] changed = new boolean[axes];
        for (int a = 0; a < axes; a++) {
            changed[a] = !current.get(a).equals(target.get(a));
        }
        // Later axes split the chunk of earlier ones: changing how axis a splits a dimension first undoes every later
        // axis that splits the same dimension, and step 2 redoes them in order.
        for (int a = 0; a < axes; a++) {
            if (!changed[a]) {
                continue;
            }
            for (Placement p : List.of(current.get(a), target.get(a))) {
                if (p instanceof Shard(int d)) {
                    for (int b = a + 1; b < axes; b++) {
                        if (current.get(b) instanceof Shard(int e) && e == d) {
                            changed[b] = true;
                        }
                    }
                }
            }
        }
        Tensor t = local;
        for (int a = axes - 1; a >= 0; a--) {
            if (!changed[a]) {
                continue;
            }
            Placement from = current.get(a);
            Placement to = target.get(a);
            if (from instanceof Partial(ReduceOp op) && to instanceof Shard(int d) && d == 0 && !laterAxisShards(current, a, 0)) {
                t = reduceScatter(t, a, op, levelLength(current, a, 0));
            } else {
                t = toReplicate(t, a, from, current);
                current.set(a, Placement.replicate());
                continue;
            }
            current.set(a, to);
        }
        for (int a = 0; a < axes; a++) {
            if (!current.get(a).equals(target.get(a))) {
                t = fromReplicate(t, a, target.get(a));
                current.set(a, target.get(a));
            }
        }
        return new DTensor(t, mesh, List.copyOf(target), globalShape, rank);
    }

    private static boolean laterAxisShards(List<Placement> placements, int axis, int dim) {
        for (int b = axis + 1; b < placements.size(); b++) {
            if (placements.get(b) instanceof Shard(int d) && d == dim) {
                return true;
            }
        }
        return false;
    }

    /** The length of {@code dim} before axis {@code axis} splits it: the global length chunked by earlier axes. */
    private int levelLength(List<Placement> placements, int axis, int dim) {
        int length = globalShape.dim(dim);
        for (int b = 0; b < axis; b++) {
            if (placements.get(b) instanceof Shard(int d) && d == dim) {
                length = Shard.chunk(length, mesh.shape()[b]);
            }
        }
        return length;
    }

    private ProcessGroup group(int axis) {
        return rank.group(mesh, mesh.axisNames().get(axis));
    }

    private Tensor toReplicate(Tensor t, int axis, Placement from, List<Placement> current) {
        return switch (from) {
            case Replicate r -> t;
            case Partial(ReduceOp op) -> group(axis).allReduce(t, op);
            case Shard(int d) -> {
                int length = levelLength(current, axis, d);
                ProcessGroup g = group(axis);
                Tensor gathered = d == 0 ? g.allGather(t) : Tensor.concat(d, g.allGatherList(t).toArray(Tensor[]::new));
                yield gathered.slice(d, 0, length);
            }
        };
    }

    private Tensor fromReplicate(Tensor t, int axis, Placement to) {
        int coordinate = mesh.coordinate(rank.rank())[axis];
        return switch (to) {
            case Replicate r -> t;
            case Shard(int d) -> chunkOf(t, d, coordinate, mesh.shape()[axis]);
            case Partial(ReduceOp op) -> switch (op) {
                case SUM -> coordinate == 0 ? t : t.zerosLike();
                case PROD -> coordinate == 0 ? t : t.fullLike(1);
                case AVG, MAX, MIN -> t;
            };
        };
    }

    private Tensor reduceScatter(Tensor t, int axis, ReduceOp op, int length) {
        ProcessGroup g = group(axis);
        int chunk = Shard.chunk(length, g.size());
        Tensor padded = padRows(t, 0, chunk * g.size());
        return g.reduceScatter(padded, op);
    }

    /**
     * Returns chunk {@code index} of {@code parts} equal padded chunks of dimension {@code dim}, as a new tensor.
     *
     * @param t the tensor
     * @param dim the dimension
     * @param index the chunk
     * @param parts the number of chunks
     * @return {@code ceil(t.dim(dim) / parts)} rows of {@code t}, zeros past its end
     */
    static Tensor chunkOf(Tensor t, int dim, int index, int parts) {
        int length = t.shape().dim(dim);
        int chunk = Shard.chunk(length, parts);
        int start = Math.min(length, index * chunk);
        int end = Math.min(length, start + chunk);
        try (Tensor rows = t.slice(dim, start, end)) {
            return padRows(rows, dim, chunk);
        }
    }

    /** A new tensor: {@code t} with zero rows appended on {@code dim} up to {@code length}. */
    static Tensor padRows(Tensor t, int dim, int length) {
        int missing = length - t.shape().dim(dim);
        if (missing == 0) {
            return copy(t);
        }
        int[] low = new int[t.rank()];
        int[] high = new int[t.rank()];
        high[dim] = missing;
        return t.pad(low, high, 0);
    }

    /** A new tensor with the elements of {@code t}, sharing no memory with it. */
    static Tensor copy(Tensor t) {
        return t.cast(t.dtype());
    }

    private static List<Placement> check(DeviceMesh mesh, List<Placement> placements, Shape shape, RankContext rank) {
        Objects.requireNonNull(mesh, "mesh is null");
        Objects.requireNonNull(rank, "rank is null");
        List<Placement> copy = List.copyOf(placements);
        if (copy.size() != mesh.ndim()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%d placements %s for mesh %s with %d axes %s; give one per axis",
                    copy.size(), copy, mesh, mesh.ndim(), mesh.axisNames()));
        }
        for (Placement p : copy) {
            if (p instanceof Shard(int d) && d >= shape.rank()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s on a tensor of shape %s with %d dimensions", p, shape, shape.rank()));
            }
        }
        if (!mesh.contains(rank.rank())) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "rank %d is not in mesh %s", rank.rank(), mesh));
        }
        return copy;
    }

    /** Closes the local tensor. */
    @Override
    public void close() {
        local.close();
    }

    @Override
    public String toString() {
        return "DTensor[" + globalShape + " " + placements + " on " + mesh + ", local " + local + "]";
    }
}
