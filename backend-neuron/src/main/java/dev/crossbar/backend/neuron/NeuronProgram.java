package dev.crossbar.backend.neuron;

import dev.crossbar.api.DType;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A program as the Neuron rules inspect it: its operations in order, each with the element type and shape it
 * produces and the control flow it carries; a dimension of {@link #DYNAMIC} is only known when the program runs.
 * {@link #of(String, Graph)} describes a lazy graph of {@code dev.crossbar.spi.graph}, which is straight-line and
 * statically shaped; {@link #ofStableHlo} describes the module it is lowered to, which the Neuron backend checks before
 * compiling; the other forms remain for programs from elsewhere (imported StableHLO with {@code while} loops or
 * dynamic dimensions).
 *
 * @param name the program's name, for messages
 * @param operations the operations in program order
 */
record NeuronProgram(String name, List<Operation> operations) {
    /** A dimension whose size depends on the data. */
    static final int DYNAMIC = -1;
    private static final Pattern OP_LINE = Pattern.compile("= \"stablehlo\\.([a-z_]+)\"");
    /** A ranked tensor type: its dimensions, each followed by {@code x}, then its element type. */
    private static final Pattern TENSOR_TYPE = Pattern.compile("tensor<((?:[0-9?]+x)*)([a-z0-9]+)>");
    private static final List<String> CONTROL_FLOW = List.of("while", "if", "case");

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

    /**
     * Describes a StableHLO module in MLIR's generic syntax, as the xla lowering writes it: one {@code parameter}
     * operation per argument of {@code main}, then one operation per op line with the first type it produces (a
     * {@code ?} dimension is {@link #DYNAMIC}), then one {@code result} operation per result. {@code while},
     * {@code if} and {@code case} count as data-dependent control flow, since their predicates are tensor values.
     *
     * @param name the program's name, for messages
     * @param module the module's text
     * @param parameters the types of {@code main}'s arguments
     * @param results the types of its results
     * @throws IllegalArgumentException if an op produces an element type Crossbar has no type for
     */
    static NeuronProgram ofStableHlo(String name, String module, List<ValueType> parameters, List<ValueType> results) {
        List<Operation> operations = new ArrayList<>();
        for (ValueType parameter : parameters) {
            operations.add(new Operation("parameter", parameter.dtype(), dims(parameter), ControlFlow.NONE));
        }
        // An op with a region (reduce, scatter, while) opens it on its first line and gives its types on the closing one.
        Deque<String> openRegions = new ArrayDeque<>();
        for (String line : module.split("\n")) {
            Matcher op = OP_LINE.matcher(line);
            int arrow = line.lastIndexOf("->");
            String opName;
            if (op.find()) {
                opName = op.group(1);
                if (arrow < 0) {
                    openRegions.push(opName);
                    continue;
                }
            } else if (line.strip().startsWith("})") && arrow >= 0 && !openRegions.isEmpty()) {
                opName = openRegions.pop();
            } else {
                continue;
            }
            Matcher tensor = TENSOR_TYPE.matcher(line.substring(arrow));
            if (tensor.find()) {
                ControlFlow flow = CONTROL_FLOW.contains(opName) ? ControlFlow.DATA_DEPENDENT : ControlFlow.NONE;
                operations.add(new Operation(opName, elementType(tensor.group(2)), stableHloDims(tensor.group(1)), flow));
            }
        }
        for (ValueType result : results) {
            operations.add(new Operation("result", result.dtype(), dims(result), ControlFlow.NONE));
        }
        return new NeuronProgram(name, operations);
    }

    private static List<Integer> stableHloDims(String dims) {
        return dims.isEmpty() ? List.of() : Arrays.stream(dims.split("x")).map(d -> d.equals("?") ? DYNAMIC : Integer.parseInt(d)).toList();
    }

    /**
     * The Crossbar type of a StableHLO element type.
     *
     * @throws IllegalArgumentException for a type Crossbar has none for
     */
    static DType elementType(String type) {
        return switch (type) {
            case "f32" -> DType.F32;
            case "f64" -> DType.F64;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            case "i8" -> DType.I8;
            case "i32" -> DType.I32;
            case "i64" -> DType.I64;
            case "i1" -> DType.BOOL;
            default -> throw new IllegalArgumentException("the StableHLO element type " + type + " has no Crossbar type");
        };
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
