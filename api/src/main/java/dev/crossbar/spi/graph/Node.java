package dev.crossbar.spi.graph;

import java.util.List;
import java.util.Objects;

/**
 * One primitive op of a graph applied to earlier values. Operands have exactly the shapes the op needs: graph backends
 * record broadcasts, permutations and slices as nodes of their own, so no node broadcasts implicitly.
 *
 * <p>Operands by op:
 * <ul>
 *   <li>{@code full}: a rank-0 value (F64 for a floating result, I64 for an integer or BOOL result) converted as by
 *       {@link dev.crossbar.spi.kernel.FillKernel} and repeated over the result's shape;</li>
 *   <li>{@code iota}: none; {@link Attributes.Axes} holds the axis;</li>
 *   <li>{@code rng_uniform}, {@code rng_normal}: rank-0 seed (I64), offset (I64), a (F64) and b (F64), the arguments of
 *       {@link dev.crossbar.spi.kernel.RngKernel#random};</li>
 *   <li>unary ops and {@code cast}: the input; binary ops and comparisons: two inputs of the result's shape;
 *       {@code select}: condition, value where true, value where false;</li>
 *   <li>{@code reduce_*}: the input, axes in {@link Attributes.Axes}; the result keeps the reduced axes with size 1;
 *       {@code argmax}: likewise with one axis and an I64 result;</li>
 *   <li>{@code dot_general}: {@code [batch..., m, k]} and {@code [batch..., k, n]} with equal batch dimensions;</li>
 *   <li>{@code reshape}, {@code copy}: the input; {@code permute}: the input, the permutation in
 *       {@link Attributes.Axes}; {@code broadcast_to}: the input, aligned to the result's trailing axes (numpy's rule);
 *       {@code slice}: the input, {@link Attributes.Window}; {@code concat}: the inputs, the axis in
 *       {@link Attributes.Axes}; {@code pad}: the input and a rank-0 padding value of its type, {@link Attributes.Padding};</li>
 *   <li>{@code gather}: the input and I32 or I64 indices shaped as the result, the axis in {@link Attributes.Axes};
 *       {@code scatter_add}: the base, the indices and the values (shaped as the indices), the axis likewise;</li>
 *   <li>a {@link CollectiveOp}: this process's operand, {@link Attributes.Collective} or, for
 *       {@code collective_permute}, {@link Attributes.Permutation}.</li>
 * </ul>
 *
 * @param op the primitive, or a collective of an SPMD program
 * @param operands the values it reads, by number (inputs first, then node results in order)
 * @param type the result's element type and shape
 * @param attributes the static parameters
 */
public record Node(GraphOp op, List<Integer> operands, ValueType type, Attributes attributes) {
    /**
     * Checks the parts and freezes the operand list.
     *
     * @param op the primitive or collective
     * @param operands the values it reads
     * @param type the result type
     * @param attributes the static parameters
     */
    public Node {
        Objects.requireNonNull(op, "op is null");
        operands = List.copyOf(operands);
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(attributes, "attributes is null");
    }

    @Override
    public String toString() {
        return op.opName() + operands + " -> " + type + (attributes instanceof Attributes.None ? "" : " " + attributes);
    }
}
