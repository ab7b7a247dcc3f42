package dev.crossbar.backend.xla.stablehlo;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.CollectiveGroups;
import dev.crossbar.spi.graph.CollectiveOp;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Lowers a {@link Graph} to a StableHLO module in MLIR's generic op syntax: one public {@code main} function whose
 * arguments are the graph's inputs and whose results are its outputs. F16 and BF16 arithmetic runs in F32 and F32
 * sums accumulate in F64, so results round once, as the cpu backend's do; rng is Philox4x32-10 written out in
 * StableHLO integer ops, word for word the generator of {@link dev.crossbar.spi.Philox}.
 *
 * <p>A graph with collectives is an SPMD program of one partition and one replica per rank: the module states
 * {@code mhlo.num_replicas} (the number of replica ids its groups cover) and {@code mhlo.num_partitions = 1}, and each
 * collective keeps its groups, channel and {@code use_global_device_ids} as recorded. Reductions of F16 and BF16 run in
 * F32 and {@code AVG} divides the sum by the group size, as the in-process communicator computes them. A collective's
 * region is one plain add, multiply, maximum or minimum, the forms XLA recognizes as a reduction kind (XLA:CPU refuses
 * the NaN-propagating select that element-wise max and min use), so NaN handling of MAX and MIN is the runtime's.
 */
public final class StableHloLowering {
    private final Graph graph;
    private final MlirText text = new MlirText();
    private final List<Value> values = new ArrayList<>();

    private StableHloLowering(Graph graph) {
        this.graph = graph;
    }

    /**
     * Lowers a graph.
     *
     * @param graph the graph
     * @return the module's MLIR text
     */
    public static String lower(Graph graph) {
        return new StableHloLowering(graph).module();
    }

    private String module() {
        List<String> arguments = new ArrayList<>();
        for (int i = 0; i < graph.inputs().size(); i++) {
            Value argument = new Value("%arg" + i, graph.inputs().get(i));
            values.add(argument);
            arguments.add(argument.name() + ": " + MlirText.type(argument.type()));
        }
        for (Node node : graph.nodes()) {
            values.add(lower(node));
        }
        List<Value> results = graph.outputs().stream().map(values::get).toList();
        String resultTypes = results.stream().map(v -> MlirText.type(v.type())).collect(Collectors.joining(", "));
        return "module @crossbar" + moduleAttributes() + " {\n  func.func public @main(" + String.join(", ", arguments) + ") -> (" + resultTypes + ") {\n"
                + text.body()
                + "    \"func.return\"(" + results.stream().map(Value::name).collect(Collectors.joining(", ")) + ") : (" + resultTypes + ") -> ()\n"
                + "  }\n}\n";
    }

    /**
     * Rewrites a lowered module so that its FP8 arguments and results cross the boundary as {@code ui8} of the same
     * shape, for runtimes whose interface has no FP8 tensors (TensorFlow's {@code XlaCallModule} and {@code Bitcast}):
     * the module's {@code @main} becomes a private {@code @crossbar_body}, called by a new {@code @main} that bitcasts
     * FP8 values from and to bytes. A module without FP8 at its boundary comes back unchanged.
     *
     * @param module a module written by {@link #lower}
     * @param parameters its argument types
     * @param results its result types
     * @return the module, with FP8 arguments and results as {@code ui8}
     * @throws IllegalArgumentException if the text has no public {@code @main} as {@link #lower} writes it
     */
    public static String withFloat8AsBytes(String module, List<ValueType> parameters, List<ValueType> results) {
        if (Stream.concat(parameters.stream(), results.stream()).noneMatch(t -> t.dtype().isStorageOnly())) {
            return module;
        }
        String main = "func.func public @main(";
        int start = module.indexOf(main);
        int end = module.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("not a module written by StableHloLowering (no \"" + main + "\"):\n" + module);
        }
        List<String> arguments = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < parameters.size(); i++) {
            ValueType p = parameters.get(i);
            arguments.add("%arg" + i + ": " + boundaryType(p));
            if (p.dtype().isStorageOnly()) {
                body.append("    %in").append(i).append(" = \"stablehlo.bitcast_convert\"(%arg").append(i).append(") : (").append(boundaryType(p)).append(") -> ")
                        .append(MlirText.type(p)).append('\n');
                operands.add("%in" + i);
            } else {
                operands.add("%arg" + i);
            }
        }
        String bodyResults = results.stream().map(MlirText::type).collect(Collectors.joining(", "));
        String call = results.size() == 1 ? "%call" : "%call:" + results.size();
        body.append("    ").append(call).append(" = \"func.call\"(").append(String.join(", ", operands)).append(") {callee = @crossbar_body} : (")
                .append(parameters.stream().map(MlirText::type).collect(Collectors.joining(", "))).append(") -> (").append(bodyResults).append(")\n");
        List<String> returned = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ValueType r = results.get(i);
            String value = results.size() == 1 ? "%call" : "%call#" + i;
            if (r.dtype().isStorageOnly()) {
                body.append("    %out").append(i).append(" = \"stablehlo.bitcast_convert\"(").append(value).append(") : (").append(MlirText.type(r)).append(") -> ")
                        .append(boundaryType(r)).append('\n');
                value = "%out" + i;
            }
            returned.add(value);
        }
        String boundaryResults = results.stream().map(StableHloLowering::boundaryType).collect(Collectors.joining(", "));
        return module.substring(0, start) + "func.func private @crossbar_body(" + module.substring(start + main.length(), end)
                + "  func.func public @main(" + String.join(", ", arguments) + ") -> (" + boundaryResults + ") {\n" + body
                + "    \"func.return\"(" + String.join(", ", returned) + ") : (" + boundaryResults + ") -> ()\n  }\n}\n";
    }

    private static String boundaryType(ValueType type) {
        return type.dtype().isStorageOnly() ? MlirText.type(type.shape(), "ui8") : MlirText.type(type);
    }

    /**
     * Returns the replicas a graph's program runs on: 1 without collectives, otherwise the number of replica ids its
     * collectives name, checked to be grouped as StableHLO requires.
     *
     * @param graph the graph
     * @return the replica count
     * @throws IllegalArgumentException if a collective's groups do not cover every replica once
     */
    public static int replicas(Graph graph) {
        List<Node> collectives = graph.nodes().stream().filter(n -> n.op() instanceof CollectiveOp).toList();
        int replicas = 1;
        for (Node n : collectives) {
            List<List<Integer>> groups = n.attributes() instanceof Attributes.Collective c ? c.replicaGroups() : ((Attributes.Permutation) n.attributes()).sourceTargetPairs();
            replicas = Math.max(replicas, 1 + groups.stream().flatMap(List::stream).mapToInt(Integer::intValue).max().orElse(0));
        }
        for (Node n : collectives) {
            CollectiveGroups.processGroups((CollectiveOp) n.op(), n.attributes(), replicas, 1);
        }
        return replicas;
    }

    /** The process grid of an SPMD program; nothing for graphs without collectives. */
    private String moduleAttributes() {
        boolean spmd = graph.nodes().stream().anyMatch(n -> n.op() instanceof CollectiveOp);
        return spmd ? " attributes {mhlo.num_replicas = " + replicas(graph) + " : i32, mhlo.num_partitions = 1 : i32}" : "";
    }

    private Value operand(Node node, int i) {
        return values.get(node.operands().get(i));
    }

    private Value lower(Node node) {
        ValueType type = node.type();
        if (node.op() instanceof CollectiveOp collective) {
            return collective(collective, node.attributes(), operand(node, 0), type);
        }
        Op op = (Op) node.op();
        return switch (op.kind()) {
            case CREATION -> switch (op) {
                case FULL -> full(operand(node, 0), type);
                case IOTA -> text.op("stablehlo.iota", List.of(), "iota_dimension = " + axis(node) + " : i64", type);
                default -> PhiloxLowering.random(text, op, type, operand(node, 0), operand(node, 1), operand(node, 2), operand(node, 3));
            };
            case UNARY -> unary(op, operand(node, 0));
            case BINARY -> binary(op, operand(node, 0), operand(node, 1));
            case COMPARE -> text.compare(op, operand(node, 0), operand(node, 1));
            case SELECT -> text.op("stablehlo.select", List.of(operand(node, 0), operand(node, 1), operand(node, 2)), null, type);
            case CAST -> convert(operand(node, 0), type.dtype());
            case REDUCE -> op == Op.ARGMAX ? argmax(operand(node, 0), axis(node), type) : reduce(op, operand(node, 0), ((Attributes.Axes) node.attributes()).toArray(), type);
            case MATMUL -> dot(operand(node, 0), operand(node, 1), type);
            case LAYOUT -> layout(node, type);
            case INDEXING -> op == Op.GATHER ? gather(operand(node, 0), operand(node, 1), axis(node), type)
                    : scatterAdd(operand(node, 0), operand(node, 1), operand(node, 2), axis(node));
        };
    }

    private Value collective(CollectiveOp op, Attributes attributes, Value x, ValueType type) {
        if (attributes instanceof Attributes.Permutation p) {
            return text.op("stablehlo.collective_permute", List.of(x), "source_target_pairs = " + groups(p.sourceTargetPairs()) + channel(p.channelId()), type);
        }
        Attributes.Collective c = (Attributes.Collective) attributes;
        String groups = "replica_groups = " + groups(c.replicaGroups()) + channel(c.channelId()) + (c.useGlobalDeviceIds() ? ", use_global_device_ids" : "");
        int groupSize = c.replicaGroups().getFirst().size();
        return switch (op) {
            case ALL_GATHER -> text.op("stablehlo.all_gather", List.of(x), "all_gather_dim = 0 : i64, " + groups, type);
            case ALL_TO_ALL -> text.op("stablehlo.all_to_all", List.of(x), "split_dimension = 0 : i64, concat_dimension = 0 : i64, split_count = " + groupSize
                    + " : i64, replica_groups = " + groups(c.replicaGroups()) + channel(c.channelId()), type);
            case ALL_REDUCE, REDUCE_SCATTER -> {
                ReduceOp reduction = c.reduction().orElseThrow();
                DType dtype = x.type().dtype();
                Value wide = text.convert(x, computeType(dtype));
                ValueType wideType = new ValueType(wide.type().dtype(), type.shape());
                String name = op == CollectiveOp.ALL_REDUCE ? "stablehlo.all_reduce" : "stablehlo.reduce_scatter";
                String dimension = op == CollectiveOp.ALL_REDUCE ? "" : "scatter_dimension = 0 : i64, ";
                Value combined = text.withCombiner(name, wide, dimension + groups, wideType, (a, b) -> switch (reduction) {
                    case SUM, AVG -> text.op("stablehlo.add", List.of(a, b), null, a.type());
                    case PROD -> text.op("stablehlo.multiply", List.of(a, b), null, a.type());
                    case MAX -> text.op("stablehlo.maximum", List.of(a, b), null, a.type());
                    case MIN -> text.op("stablehlo.minimum", List.of(a, b), null, a.type());
                });
                if (reduction == ReduceOp.AVG) {
                    combined = text.op("stablehlo.divide", List.of(combined, text.splat(combined.type().dtype(), groupSize, type.shape())), null, combined.type());
                }
                yield text.convert(combined, dtype);
            }
            case COLLECTIVE_PERMUTE -> throw new IllegalArgumentException("collective_permute takes source-target pairs, not " + attributes);
        };
    }

    /** A list of id lists as the 2-D I64 tensor constant StableHLO expects. */
    private static String groups(List<List<Integer>> groups) {
        String rows = groups.stream().map(g -> g.stream().map(Object::toString).collect(Collectors.joining(", ", "[", "]"))).collect(Collectors.joining(", ", "[", "]"));
        return "dense<" + rows + "> : tensor<" + groups.size() + "x" + groups.getFirst().size() + "xi64>";
    }

    /** A channel of type DEVICE_TO_DEVICE (1), or nothing for channel 0. */
    private static String channel(long channelId) {
        return channelId > 0 ? ", channel_handle = #stablehlo.channel_handle<handle = " + channelId + ", type = 1>" : "";
    }

    private static int axis(Node node) {
        return ((Attributes.Axes) node.attributes()).axes().getFirst();
    }

    private Value full(Value scalar, ValueType type) {
        Value converted = type.dtype() == DType.BOOL
                ? text.compare(Op.NE, scalar, text.constant(scalar.type().dtype(), 0))
                : convert(scalar, type.dtype());
        return text.broadcast(converted, type.shape(), new int[0]);
    }

    /** {@code cast}'s conversion: {@code stablehlo.convert}, except into FP8, see {@link Float8Lowering}. */
    private Value convert(Value x, DType target) {
        return target.isStorageOnly() && x.type().dtype() != target ? Float8Lowering.convert(text, x, target) : text.convert(x, target);
    }

    private Value unary(Op op, Value x) {
        String name = switch (op) {
            case NEG -> "stablehlo.negate";
            case ABS -> "stablehlo.abs";
            case EXP -> "stablehlo.exponential";
            case LOG -> "stablehlo.log";
            case SQRT -> "stablehlo.sqrt";
            case RSQRT -> "stablehlo.rsqrt";
            case TANH -> "stablehlo.tanh";
            case LOGISTIC -> "stablehlo.logistic";
            case SIN -> "stablehlo.sine";
            case COS -> "stablehlo.cosine";
            case ERF -> "chlo.erf";
            default -> throw new IllegalArgumentException("not a unary op: " + op);
        };
        DType dtype = x.type().dtype();
        Value wide = text.convert(x, computeType(dtype));
        return text.convert(text.op(name, List.of(wide), null, wide.type()), dtype);
    }

    private Value binary(Op op, Value a, Value b) {
        String name = switch (op) {
            case ADD -> "stablehlo.add";
            case SUB -> "stablehlo.subtract";
            case MUL -> "stablehlo.multiply";
            case DIV -> "stablehlo.divide";
            case POW -> "stablehlo.power";
            case MAX -> "stablehlo.maximum";
            case MIN -> "stablehlo.minimum";
            default -> throw new IllegalArgumentException("not a binary op: " + op);
        };
        DType dtype = a.type().dtype();
        Value wa = text.convert(a, computeType(dtype));
        Value wb = text.convert(b, computeType(dtype));
        Value result = op == Op.MAX || op == Op.MIN ? text.extremum(name, wa, wb) : text.op(name, List.of(wa, wb), null, wa.type());
        return text.convert(result, dtype);
    }

    /** F16 and BF16 compute in F32 and round once at the end. */
    private static DType computeType(DType dtype) {
        return dtype == DType.F16 || dtype == DType.BF16 ? DType.F32 : dtype;
    }

    private Value reduce(Op op, Value x, int[] axes, ValueType type) {
        DType dtype = x.type().dtype();
        DType accumulator = op == Op.REDUCE_SUM && dtype.isFloating() ? DType.F64 : dtype;
        Value wide = text.convert(x, accumulator);
        String combiner = switch (op) {
            case REDUCE_SUM -> "stablehlo.add";
            case REDUCE_MAX -> "stablehlo.maximum";
            case REDUCE_MIN -> "stablehlo.minimum";
            default -> throw new IllegalArgumentException("not a reduction: " + op);
        };
        Value init = switch (op) {
            case REDUCE_SUM -> text.constant(accumulator, 0);
            case REDUCE_MAX -> text.lowest(accumulator);
            default -> text.highest(accumulator);
        };
        Value reduced = text.reduce(List.of(wide), List.of(init), axes, (lhs, rhs) -> List.of(op == Op.REDUCE_SUM
                ? text.op(combiner, List.of(lhs.get(0), rhs.get(0)), null, lhs.get(0).type())
                : text.extremum(combiner, lhs.get(0), rhs.get(0))));
        return text.reshape(text.convert(reduced, dtype), type.shape());
    }

    /** The first maximum: NaN beats everything, equal values go to the smaller index. */
    private Value argmax(Value x, int axis, ValueType type) {
        DType dtype = x.type().dtype();
        Value index = text.op("stablehlo.iota", List.of(), "iota_dimension = " + axis + " : i64", new ValueType(DType.I64, x.type().shape()));
        List<Value> inits = List.of(text.lowest(dtype), text.constant(DType.I64, 0));
        Value result = text.reduce(List.of(x, index), inits, new int[] {axis}, (lhs, rhs) -> {
            Value a = lhs.get(0);
            Value ai = lhs.get(1);
            Value b = rhs.get(0);
            Value bi = rhs.get(1);
            Value aNan = text.compare(Op.NE, a, a);
            Value bNan = text.compare(Op.NE, b, b);
            Value bNumber = text.not(bNan);
            Value greater = text.and(text.compare(Op.GT, a, b), bNumber);
            Value better = text.or(greater, text.and(aNan, bNumber));
            Value same = text.or(text.compare(Op.EQ, a, b), text.and(aNan, bNan));
            Value takeA = text.or(better, text.and(same, text.compare(Op.LT, ai, bi)));
            return List.of(text.op("stablehlo.select", List.of(takeA, a, b), null, a.type()),
                    text.op("stablehlo.select", List.of(takeA, ai, bi), null, ai.type()));
        }, 1);
        return text.reshape(result, type.shape());
    }

    private Value dot(Value a, Value b, ValueType type) {
        DType dtype = a.type().dtype();
        Value wa = text.convert(a, computeType(dtype));
        Value wb = text.convert(b, computeType(dtype));
        int rank = type.shape().rank();
        String batch = IntStream.range(0, rank - 2).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String numbers = String.format(Locale.ROOT,
                "dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [%s], rhs_batching_dimensions = [%s], lhs_contracting_dimensions = [%d], rhs_contracting_dimensions = [%d]>",
                batch, batch, rank - 1, rank - 2);
        Value product = text.op("stablehlo.dot_general", List.of(wa, wb), numbers, new ValueType(wa.type().dtype(), type.shape()));
        return text.convert(product, dtype);
    }

    private Value layout(Node node, ValueType type) {
        Value x = operand(node, 0);
        return switch ((Op) node.op()) {
            case RESHAPE -> text.reshape(x, type.shape());
            case COPY -> x;
            case PERMUTE -> text.op("stablehlo.transpose", List.of(x), "permutation = " + MlirText.array(((Attributes.Axes) node.attributes()).toArray()), type);
            case BROADCAST_TO -> {
                int lead = type.shape().rank() - x.type().shape().rank();
                yield text.broadcast(x, type.shape(), IntStream.range(lead, type.shape().rank()).toArray());
            }
            case SLICE -> {
                Attributes.Window w = (Attributes.Window) node.attributes();
                yield text.op("stablehlo.slice", List.of(x), "start_indices = " + MlirText.array(w.start()) + ", limit_indices = " + MlirText.array(w.limit())
                        + ", strides = " + MlirText.array(w.step()), type);
            }
            case CONCAT -> text.op("stablehlo.concatenate", node.operands().stream().map(values::get).toList(), "dimension = " + axis(node) + " : i64", type);
            case PAD -> {
                Attributes.Padding p = (Attributes.Padding) node.attributes();
                int[] interior = new int[p.low().size()];
                yield text.op("stablehlo.pad", List.of(x, operand(node, 1)), "edge_padding_low = " + MlirText.array(p.low()) + ", edge_padding_high = "
                        + MlirText.array(p.high()) + ", interior_padding = " + MlirText.array(interior), type);
            }
            default -> throw new IllegalArgumentException("not a layout op: " + node.op());
        };
    }

    /** Full coordinates {@code [index shape..., rank]} for take-along-axis: iotas on the other axes, the indices on {@code axis}. */
    private Value coordinates(Value index, int axis, int rank) {
        Shape shape = index.type().shape();
        int[] withOne = IntStream.concat(IntStream.of(shape.dims()), IntStream.of(1)).toArray();
        ValueType component = new ValueType(DType.I64, shape);
        List<Value> parts = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            Value c = d == axis ? text.convert(index, DType.I64) : text.op("stablehlo.iota", List.of(), "iota_dimension = " + d + " : i64", component);
            parts.add(text.reshape(c, Shape.of(withOne)));
        }
        int[] all = withOne.clone();
        all[shape.rank()] = rank;
        return text.op("stablehlo.concatenate", parts, "dimension = " + shape.rank() + " : i64", new ValueType(DType.I64, Shape.of(all)));
    }

    private Value gather(Value input, Value index, int axis, ValueType type) {
        int rank = input.type().shape().rank();
        String dims = IntStream.range(0, rank).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        int[] ones = new int[rank];
        java.util.Arrays.fill(ones, 1);
        String attributes = "dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [" + dims + "], start_index_map = [" + dims + "], index_vector_dim = "
                + index.type().shape().rank() + ">, slice_sizes = " + MlirText.array(ones) + ", indices_are_sorted = false";
        return text.op("stablehlo.gather", List.of(input, coordinates(index, axis, rank)), attributes, type);
    }

    private Value scatterAdd(Value base, Value index, Value updates, int axis) {
        int rank = base.type().shape().rank();
        String dims = IntStream.range(0, rank).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String attributes = "scatter_dimension_numbers = #stablehlo.scatter<inserted_window_dims = [" + dims + "], scatter_dims_to_operand_dims = [" + dims
                + "], index_vector_dim = " + index.type().shape().rank() + ">, indices_are_sorted = false, unique_indices = false";
        return text.scatter(base, coordinates(index, axis, rank), updates, attributes);
    }
}
