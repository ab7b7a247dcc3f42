package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.CollectiveOp;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/** Builders of lazy values, one per primitive, computing the result types the graph IR expects. */
public final class Ops {
    private Ops() {
    }

    /**
     * Records a primitive.
     *
     * @param op the op
     * @param type the result type
     * @param attributes its static parameters
     * @param operands its operands
     * @return the value
     */
    public static LazyValue node(Op op, ValueType type, Attributes attributes, LazyValue... operands) {
        return LazyValue.node(op, type, attributes, List.of(operands));
    }

    /**
     * Returns a rank-0 F64 input holding a value; the value is an argument of the compiled program, not part of it.
     *
     * @param value the value
     * @return the input
     */
    public static LazyValue scalar(double value) {
        MemorySegment data = Arena.ofAuto().allocate(Double.BYTES);
        data.set(ValueLayout.JAVA_DOUBLE, 0, value);
        return LazyValue.leaf(ValueType.scalar(DType.F64), data);
    }

    /**
     * Returns a rank-0 I64 input holding a value.
     *
     * @param value the value
     * @return the input
     */
    public static LazyValue scalar(long value) {
        MemorySegment data = Arena.ofAuto().allocate(Long.BYTES);
        data.set(ValueLayout.JAVA_LONG, 0, value);
        return LazyValue.leaf(ValueType.scalar(DType.I64), data);
    }

    /**
     * Records {@code full}: a value converted to the type as {@link dev.crossbar.spi.kernel.FillKernel} does. Integer
     * and BOOL targets get their converted value from here (Java's truncating, saturating cast), floating ones convert
     * from F64 in the program.
     *
     * @param type the result type
     * @param value the value
     * @return the value
     */
    public static LazyValue full(ValueType type, double value) {
        LazyValue scalar = switch (type.dtype()) {
            case F32, F64, F16, BF16, F8E4M3FN, F8E5M2 -> scalar(value);
            case BOOL -> scalar(value != 0 ? 1L : 0L);
            case I8 -> scalar(Math.clamp((long) value, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case I32 -> scalar(Math.clamp((long) value, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case I64 -> scalar((long) value);
        };
        return node(Op.FULL, type, Attributes.NONE, scalar);
    }

    /**
     * Records {@code iota} along one axis.
     *
     * @param type the result type
     * @param axis the axis
     * @return the value
     */
    public static LazyValue iota(ValueType type, int axis) {
        return node(Op.IOTA, type, Attributes.Axes.of(axis));
    }

    /**
     * Records a reshape, or returns the value itself when the shape does not change.
     *
     * @param value the value
     * @param shape the new shape, same element count
     * @return the reshaped value
     */
    public static LazyValue reshape(LazyValue value, Shape shape) {
        if (value.type().shape().equals(shape)) {
            return value;
        }
        if (value.type().size() != shape.size()) {
            throw new IllegalArgumentException("cannot reshape " + value.type() + " to " + shape);
        }
        return node(Op.RESHAPE, new ValueType(value.type().dtype(), shape), Attributes.NONE, value);
    }

    /**
     * Records a permutation of the axes ({@code result.dim(i) = value.dim(permutation[i])}), or returns the value for
     * the identity.
     *
     * @param value the value
     * @param permutation the permutation
     * @return the permuted value
     */
    public static LazyValue permute(LazyValue value, int[] permutation) {
        if (Arrays.equals(permutation, IntStream.range(0, permutation.length).toArray())) {
            return value;
        }
        Shape in = value.type().shape();
        int[] dims = new int[permutation.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = in.dim(permutation[i]);
        }
        return node(Op.PERMUTE, new ValueType(value.type().dtype(), Shape.of(dims)), Attributes.Axes.of(permutation), value);
    }

    /**
     * Records a broadcast with numpy's rule, or returns the value when the shape does not change.
     *
     * @param value the value
     * @param shape the target shape
     * @return the broadcast value
     */
    public static LazyValue broadcastTo(LazyValue value, Shape shape) {
        if (value.type().shape().equals(shape)) {
            return value;
        }
        return node(Op.BROADCAST_TO, new ValueType(value.type().dtype(), shape), Attributes.NONE, value);
    }

    /**
     * Records a slice.
     *
     * @param value the value
     * @param start first index per axis
     * @param limit exclusive end per axis
     * @param step step per axis
     * @return the slice
     */
    public static LazyValue slice(LazyValue value, int[] start, int[] limit, int[] step) {
        int[] dims = new int[start.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = Math.max(0, (limit[i] - start[i] + step[i] - 1) / step[i]);
        }
        Attributes window = new Attributes.Window(boxed(start), boxed(limit), boxed(step));
        return node(Op.SLICE, new ValueType(value.type().dtype(), Shape.of(dims)), window, value);
    }

    /**
     * Records a concatenation.
     *
     * @param axis the axis
     * @param parts the parts, at least one
     * @return the joined value
     */
    public static LazyValue concat(int axis, List<LazyValue> parts) {
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        int[] dims = parts.getFirst().type().shape().dims();
        dims[axis] = parts.stream().mapToInt(p -> p.type().shape().dim(axis)).sum();
        ValueType type = new ValueType(parts.getFirst().type().dtype(), Shape.of(dims));
        return LazyValue.node(Op.CONCAT, type, Attributes.Axes.of(axis), parts);
    }

    /**
     * Records an element-wise op whose result has its first operand's shape and the given type.
     *
     * @param op the op
     * @param dtype the result's element type
     * @param operands operands of equal shapes
     * @return the value
     */
    public static LazyValue elementwise(Op op, DType dtype, LazyValue... operands) {
        return node(op, new ValueType(dtype, operands[operands.length - 1].type().shape()), Attributes.NONE, operands);
    }

    /**
     * Records a conversion, or returns the value when the type does not change.
     *
     * @param value the value
     * @param dtype the target type
     * @return the converted value
     */
    public static LazyValue cast(LazyValue value, DType dtype) {
        return value.type().dtype() == dtype ? value : elementwise(Op.CAST, dtype, value);
    }

    /**
     * Records a collective of an SPMD program on this process's operand; the result type follows the op: dim 0 grows
     * by the group size for {@code all_gather}, shrinks by it for {@code reduce_scatter}, and stays for the others.
     *
     * @param op the collective
     * @param attributes its {@link Attributes.Collective}, or {@link Attributes.Permutation} for {@code collective_permute}
     * @param operand this process's operand, rank at least 1
     * @return the value
     * @throws IllegalArgumentException if the operand is a scalar, or dim 0 does not split into equal chunks for
     *     {@code reduce_scatter} and {@code all_to_all} (StableHLO has no uneven chunks), naming the op and the sizes
     */
    public static LazyValue collective(CollectiveOp op, Attributes attributes, LazyValue operand) {
        Shape shape = operand.type().shape();
        if (shape.rank() == 0) {
            throw new IllegalArgumentException(op.opName() + " moves data along dim 0; reshape the scalar operand " + operand.type() + " to [1]");
        }
        int group = attributes instanceof Attributes.Collective c ? c.replicaGroups().getFirst().size() : 1;
        int rows = shape.dim(0);
        if ((op == CollectiveOp.REDUCE_SCATTER || op == CollectiveOp.ALL_TO_ALL) && rows % group != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s splits dim 0 of %s into %d equal chunks, but %d rows do not divide; pad dim 0 to a multiple of %d", op.opName(), operand.type(), group, rows, group));
        }
        int[] dims = shape.dims();
        dims[0] = switch (op) {
            case ALL_GATHER -> rows * group;
            case REDUCE_SCATTER -> rows / group;
            default -> rows;
        };
        return LazyValue.node(op, new ValueType(operand.type().dtype(), Shape.of(dims)), attributes, List.of(operand));
    }

    static List<Integer> boxed(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
