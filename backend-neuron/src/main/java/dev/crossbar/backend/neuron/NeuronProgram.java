package dev.crossbar.backend.neuron;

import dev.crossbar.api.DType;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A program as the Neuron rules inspect it: its operations in order, each with the element type and shape it
 * produces and the control flow it carries; a dimension of {@link #DYNAMIC} is only known when the program runs.
 * {@link #of(String, Graph)} describes a lazy graph of {@code dev.crossbar.spi.graph}, which is straight-line and
 * statically shaped; the other forms remain for programs from elsewhere (imported StableHLO with {@code while} loops or
 * dynamic dimensions).
 *
 * @param name the program's name, for messages
 * @param operations the operations in program order
 */
record NeuronProgram(String name, List<Operation> operations) {
    /** A dimension whose size depends on the data. */
    static final int DYNAMIC = -1;

    /**
     * Describes a lazy graph: one {@code parameter} operation per input, then one operation per node, each with the
     * type it produces.
     */
    static NeuronProgram of(String name, Graph graph) {
        List<Operation> operations = new ArrayList<>();
        for (ValueType input : graph.inputs()) {
            operations.add(new Operation("parameter", input.dtype(), dims(input), ControlFlow.NONE));
        }
        for (Node node : graph.nodes()) {
            operations.add(new Operation(node.op().opName(), node.type().dtype(), dims(node.type()), ControlFlow.NONE));
        }
        return new NeuronProgram(name, operations);
    }

    private static List<Integer> dims(ValueType type) {
        return Arrays.stream(type.shape().dims()).boxed().toList();
    }

    /** Copies the operations. */
    NeuronProgram {
        operations = List.copyOf(operations);
    }

    /** What decides how often, or whether, an operation's body runs. */
    enum ControlFlow {
        /** No control flow. */
        NONE,
        /** A loop or branch decided by constants when the program is compiled (an unrolled or counted loop). */
        STATIC,
        /** A loop or branch decided by tensor values at run time. */
        DATA_DEPENDENT
    }

    /**
     * One operation.
     *
     * @param op the primitive, such as {@code dot_general} or {@code while}
     * @param dtype the element type it produces
     * @param shape the shape it produces; {@link #DYNAMIC} for a data-dependent dimension
     * @param controlFlow the control flow it carries
     */
    record Operation(String op, DType dtype, List<Integer> shape, ControlFlow controlFlow) {
        /** Copies the shape. */
        Operation {
            shape = List.copyOf(shape);
        }

        /** An operation without control flow. */
        static Operation of(String op, DType dtype, Integer... shape) {
            return new Operation(op, dtype, List.of(shape), ControlFlow.NONE);
        }

        boolean hasDynamicShape() {
            return shape.contains(DYNAMIC);
        }

        String shapeText() {
            return shape.stream().map(d -> d == DYNAMIC ? "?" : d.toString()).collect(Collectors.joining(", ", "[", "]"));
        }

        String describe(int index) {
            return String.format(Locale.ROOT, "operation #%d %s (%s%s)", index, op, dtype.shortName(), shapeText());
        }
    }
}
