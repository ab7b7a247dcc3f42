package dev.crossbar.backend.neuron;

import dev.crossbar.api.DType;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A program as the Neuron rules inspect it: its operations in order, each with the element type and shape it
 * produces and the control flow it carries. Backend-xla's lazy graph IR is not available to this module yet, so the
 * lowering will describe its graphs in this form; a dimension of {@link #DYNAMIC} is only known when the program runs.
 *
 * @param name the program's name, for messages
 * @param operations the operations in program order
 */
record NeuronProgram(String name, List<Operation> operations) {
    /** A dimension whose size depends on the data. */
    static final int DYNAMIC = -1;

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
