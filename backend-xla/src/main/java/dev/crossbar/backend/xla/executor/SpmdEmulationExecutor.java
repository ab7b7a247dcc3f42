package dev.crossbar.backend.xla.executor;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.backend.xla.stablehlo.StableHloLowering;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.CollectiveGroups;
import dev.crossbar.spi.graph.CollectiveGroups.ProcessId;
import dev.crossbar.spi.graph.CollectiveOp;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Emulates SPMD programs on an executor that runs one replica, for verification on machines whose XLA runtime has no
 * multi-replica execution (XLA:CPU through TensorFlow Java). An SPMD program of {@code R} replicas becomes one
 * ordinary program holding each replica's graph, each on its own arguments (the graphs may differ outside their
 * collectives, which correspond in order); every collective
 * becomes the ops the StableHLO specification defines it by ("Collective ops"), applied to the copies of its process
 * group: {@code all_reduce} folds the group's operands in group order with the reduction (F16 and BF16 in F32, rounded
 * once; {@code AVG} divides the sum by the group size), as the lowering's combiner computes it; {@code all_gather}
 * concatenates along dim 0; {@code reduce_scatter} folds and gives group member {@code i} chunk {@code i};
 * {@code all_to_all} gives member {@code j} chunk {@code j} of every member's operand; {@code collective_permute}
 * forwards along its pairs and gives zeros to processes that are no target. Groups are resolved with
 * {@link CollectiveGroups#processGroups}, the specification's strategies.
 *
 * <p>This is emulation: the collectives run as ordinary XLA ops of one process, not as XLA's collective operations. The
 * SPMD module itself is lowered too, so a program a PJRT plugin would be refused is refused here as well, and the
 * lowered collectives' multi-replica meaning is checked separately (SpmdCollectiveEmulationTest). Programs of one
 * replica go to the wrapped executor unchanged.
 */
public final class SpmdEmulationExecutor implements XlaExecutor {
    private final XlaExecutor single;

    /**
     * Wraps an executor of one replica.
     *
     * @param single the executor that runs the unrolled programs; closed with this one
     */
    public SpmdEmulationExecutor(XlaExecutor single) {
        this.single = single;
    }

    @Override
    public String platform() {
        return single.platform() + ", SPMD programs emulated with one copy per replica in one program";
    }

    /**
     * The wrapped executor's: a module given to {@link #compile} runs there as it is; SPMD programs of any number of
     * replicas go to {@link #compileSpmd}.
     */
    @Override
    public int replicas() {
        return single.replicas();
    }

    @Override
    public XlaExecutable compile(String stableHlo, List<ValueType> parameters, List<ValueType> results) {
        return single.compile(stableHlo, parameters, results);
    }

    @Override
    public XlaSpmdExecutable compileSpmd(List<Graph> replicas) {
        for (Graph graph : replicas.stream().distinct().toList()) {
            int named = StableHloLowering.replicas(graph);
            if (named > replicas.size()) {
                throw new XlaExecutionException(String.format(Locale.ROOT, "the program's collectives name %d replicas, but it runs on %d", named, replicas.size()), null);
            }
            // Lowered for its checks only: a program a PJRT plugin could not be given fails here too.
            StableHloLowering.lower(graph);
        }
        Unrolled unrolled = new Unrolling(replicas).build();
        XlaExecutable executable = single.compile(StableHloLowering.lower(unrolled.graph()), unrolled.graph().inputs(), unrolled.graph().outputTypes());
        return new Executable(executable, unrolled.constants(), replicas.stream().map(g -> g.inputs().size()).toList(),
                replicas.stream().map(g -> g.outputs().size()).toList());
    }

    @Override
    public void close() {
        single.close();
    }

    /** The unrolled program and the values of the constant inputs it appends after the replicas' arguments. */
    private record Unrolled(Graph graph, List<MemorySegment> constants) {
    }

    /**
     * Builds the program of every replica's graph: each replica's ops up to its next collective, then that collective
     * across all replicas, and so on.
     */
    private static final class Unrolling {
        private final List<Graph> graphs;
        private final Graph.Builder builder = new Graph.Builder();
        private final Map<Double, Integer> constants = new LinkedHashMap<>();
        private final int[][] values;

        Unrolling(List<Graph> graphs) {
            this.graphs = graphs;
            this.values = new int[graphs.size()][];
            for (int r = 0; r < graphs.size(); r++) {
                values[r] = new int[graphs.get(r).inputs().size() + graphs.get(r).nodes().size()];
            }
        }

        Unrolled build() {
            for (int r = 0; r < graphs.size(); r++) {
                for (int i = 0; i < graphs.get(r).inputs().size(); i++) {
                    values[r][i] = builder.input(graphs.get(r).inputs().get(i));
                }
            }
            List<List<Integer>> collectives = new ArrayList<>();
            for (Graph graph : graphs) {
                List<Integer> positions = new ArrayList<>();
                for (int n = 0; n < graph.nodes().size(); n++) {
                    Node node = graph.nodes().get(n);
                    if (node.op() instanceof CollectiveOp) {
                        positions.add(n);
                    }
                    if (node.attributes() instanceof Attributes.Collective c && c.reduction().filter(op -> op == ReduceOp.AVG).isPresent()) {
                        constants.putIfAbsent((double) c.replicaGroups().getFirst().size(), -1);
                    } else if (node.op() == CollectiveOp.COLLECTIVE_PERMUTE) {
                        constants.putIfAbsent(0.0, -1);
                    }
                }
                collectives.add(positions);
            }
            if (collectives.stream().map(List::size).distinct().count() > 1) {
                throw new XlaExecutionException("the replicas' graphs hold different numbers of collectives: " + collectives.stream().map(List::size).toList(), null);
            }
            List<MemorySegment> data = new ArrayList<>();
            for (double value : constants.keySet()) {
                constants.put(value, builder.input(ValueType.scalar(DType.F64)));
                MemorySegment scalar = Arena.ofAuto().allocate(Double.BYTES);
                scalar.set(ValueLayout.JAVA_DOUBLE, 0, value);
                data.add(scalar);
            }
            int[] next = new int[graphs.size()];
            for (int k = 0; k <= collectives.getFirst().size(); k++) {
                for (int r = 0; r < graphs.size(); r++) {
                    int stop = k < collectives.get(r).size() ? collectives.get(r).get(k) : graphs.get(r).nodes().size();
                    for (; next[r] < stop; next[r]++) {
                        copy(r, next[r]);
                    }
                }
                if (k < collectives.getFirst().size()) {
                    collective(next);
                    for (int r = 0; r < graphs.size(); r++) {
                        next[r]++;
                    }
                }
            }
            List<Integer> outputs = new ArrayList<>();
            for (int r = 0; r < graphs.size(); r++) {
                for (int output : graphs.get(r).outputs()) {
                    outputs.add(values[r][output]);
                }
            }
            return new Unrolled(builder.build(outputs), data);
        }

        /** Adds node {@code n} of replica {@code r}'s graph. */
        private void copy(int r, int n) {
            Graph graph = graphs.get(r);
            Node node = graph.nodes().get(n);
            List<Integer> operands = node.operands().stream().map(v -> values[r][v]).toList();
            values[r][graph.inputs().size() + n] = builder.add(new Node(node.op(), operands, node.type(), node.attributes()));
        }

        /** Adds one collective: node {@code at[r]} of every replica {@code r}'s graph. */
        private void collective(int[] at) {
            Node node = graphs.getFirst().nodes().get(at[0]);
            CollectiveOp op = (CollectiveOp) node.op();
            int[] operand = new int[graphs.size()];
            int[] result = new int[graphs.size()];
            for (int r = 0; r < graphs.size(); r++) {
                Node mine = graphs.get(r).nodes().get(at[r]);
                if (mine.op() != op || !mine.type().equals(node.type()) || !mine.attributes().equals(node.attributes())) {
                    throw new XlaExecutionException(String.format(Locale.ROOT, "replica %d's collective %s does not match replica 0's %s", r, mine, node), null);
                }
                operand[r] = values[r][mine.operands().getFirst()];
                result[r] = graphs.get(r).inputs().size() + at[r];
            }
            ValueType in = graphs.getFirst().type(graphs.getFirst().nodes().get(at[0]).operands().getFirst());
            for (List<ProcessId> group : CollectiveGroups.processGroups(op, node.attributes(), graphs.size(), 1)) {
                List<Integer> members = group.stream().map(ProcessId::replica).toList();
                List<Integer> operands = members.stream().map(r -> operand[r]).toList();
                switch (op) {
                    case ALL_REDUCE -> {
                        int combined = reduce(operands, ((Attributes.Collective) node.attributes()).reduction().orElseThrow(), in);
                        members.forEach(r -> values[r][result[r]] = combined);
                    }
                    case ALL_GATHER -> {
                        int gathered = builder.add(new Node(Op.CONCAT, operands, node.type(), Attributes.Axes.of(0)));
                        members.forEach(r -> values[r][result[r]] = gathered);
                    }
                    case REDUCE_SCATTER -> {
                        int combined = reduce(operands, ((Attributes.Collective) node.attributes()).reduction().orElseThrow(), in);
                        int rows = node.type().shape().dim(0);
                        for (int i = 0; i < members.size(); i++) {
                            values[members.get(i)][result[members.get(i)]] = rows(combined, in, i * rows, rows);
                        }
                    }
                    case ALL_TO_ALL -> {
                        int rows = in.shape().dim(0) / members.size();
                        for (int j = 0; j < members.size(); j++) {
                            int chunk = j;
                            List<Integer> parts = operands.stream().map(o -> rows(o, in, chunk * rows, rows)).toList();
                            values[members.get(j)][result[members.get(j)]] = parts.size() == 1 ? parts.getFirst()
                                    : builder.add(new Node(Op.CONCAT, parts, node.type(), Attributes.Axes.of(0)));
                        }
                    }
                    case COLLECTIVE_PERMUTE -> {
                        int target = group.get(1).replica();
                        values[target][result[target]] = operand[group.get(0).replica()];
                    }
                }
            }
            if (op == CollectiveOp.COLLECTIVE_PERMUTE) {
                List<List<Integer>> pairs = ((Attributes.Permutation) node.attributes()).sourceTargetPairs();
                for (int r = 0; r < graphs.size(); r++) {
                    int replica = r;
                    if (pairs.stream().noneMatch(p -> p.get(1) == replica)) {
                        values[r][result[r]] = builder.add(new Node(Op.FULL, List.of(constants.get(0.0)), node.type(), Attributes.NONE));
                    }
                }
            }
        }
        /** Folds operands in group order in the lowering's compute type, rounding once at the end. */
        private int reduce(List<Integer> operands, ReduceOp reduction, ValueType type) {
            DType dtype = type.dtype();
            DType compute = dtype == DType.F16 || dtype == DType.BF16 ? DType.F32 : dtype;
            ValueType wide = new ValueType(compute, type.shape());
            Op combine = switch (reduction) {
                case SUM, AVG -> Op.ADD;
                case PROD -> Op.MUL;
                case MAX -> Op.MAX;
                case MIN -> Op.MIN;
            };
            int acc = cast(operands.getFirst(), dtype, wide);
            for (int operand : operands.subList(1, operands.size())) {
                acc = builder.add(new Node(combine, List.of(acc, cast(operand, dtype, wide)), wide, Attributes.NONE));
            }
            if (reduction == ReduceOp.AVG) {
                int size = builder.add(new Node(Op.FULL, List.of(constants.get((double) operands.size())), wide, Attributes.NONE));
                acc = builder.add(new Node(Op.DIV, List.of(acc, size), wide, Attributes.NONE));
            }
            return cast(acc, compute, type);
        }

        private int cast(int value, DType from, ValueType to) {
            return from == to.dtype() ? value : builder.add(new Node(Op.CAST, List.of(value), to, Attributes.NONE));
        }

        /** Rows {@code [start, start + count)} of a value of type {@code type}. */
        private int rows(int value, ValueType type, int start, int count) {
            Shape shape = type.shape();
            int[] begin = new int[shape.rank()];
            int[] limit = shape.dims();
            begin[0] = start;
            limit[0] = start + count;
            int[] dims = shape.dims();
            dims[0] = count;
            List<Integer> step = IntStream.range(0, shape.rank()).map(i -> 1).boxed().toList();
            Attributes window = new Attributes.Window(IntStream.of(begin).boxed().toList(), IntStream.of(limit).boxed().toList(), step);
            return builder.add(new Node(Op.SLICE, List.of(value), new ValueType(type.dtype(), Shape.of(dims)), window));
        }
    }

    /** Runs the unrolled program: the replicas' arguments in replica order, then the constants; results split back per replica. */
    private record Executable(XlaExecutable unrolled, List<MemorySegment> constants, List<Integer> parameters, List<Integer> results) implements XlaSpmdExecutable {
        @Override
        public List<List<MemorySegment>> execute(List<List<MemorySegment>> arguments) {
            if (arguments.size() != parameters.size()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "the program runs on %d replicas, got arguments for %d", parameters.size(), arguments.size()));
            }
            List<MemorySegment> flat = new ArrayList<>();
            for (int r = 0; r < arguments.size(); r++) {
                if (arguments.get(r).size() != parameters.get(r)) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "replica %d's program takes %d arguments, got %d", r, parameters.get(r), arguments.get(r).size()));
                }
                flat.addAll(arguments.get(r));
            }
            flat.addAll(constants);
            List<MemorySegment> all = unrolled.execute(flat);
            List<List<MemorySegment>> perReplica = new ArrayList<>();
            int start = 0;
            for (int count : results) {
                perReplica.add(List.copyOf(all.subList(start, start + count)));
                start += count;
            }
            return perReplica;
        }

        @Override
        public void close() {
            unrolled.close();
        }
    }
}
