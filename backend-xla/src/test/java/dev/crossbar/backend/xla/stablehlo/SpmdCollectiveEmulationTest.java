package dev.crossbar.backend.xla.stablehlo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.api.distributed.Work;
import dev.crossbar.backend.cpu.CpuBackendProvider;
import dev.crossbar.backend.xla.executor.XlaExecutable;
import dev.crossbar.backend.xla.internal.tf.TensorFlowExecutor;
import dev.crossbar.backend.xla.internal.tf.TensorFlowRuntime;
import dev.crossbar.backend.xla.stablehlo.XlaCollectiveLoweringTest.HostValues;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.CollectiveGroups;
import dev.crossbar.spi.graph.CollectiveGroups.ProcessId;
import dev.crossbar.spi.graph.CollectiveOp;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleBinaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The multi-replica meaning of the lowered SPMD programs, checked against the in-process communicator, since no runtime
 * here runs more than one replica ({@link XlaCollectiveLoweringTest}). Each rank of a 2x4 mesh runs the program
 * {@code y = x * x; z = collective(y); return -z}: the parts before and after the collective run on XLA:CPU, once per
 * replica; between them this test exchanges the operands as the StableHLO specification defines the lowered op. It
 * reads the op, its replica groups or pairs, channel, {@code use_global_device_ids}, dimensions and combiner back from
 * the lowered MLIR text, resolves process groups with the specification's strategies and the module's
 * {@code mhlo.num_replicas}, and combines, concatenates, splits or forwards the operands accordingly. The reference
 * runs the same program on the cpu backend with {@link ProcessGroup}s built from the same mesh axis
 * ({@code RankContext.group(mesh, axis)}), so group membership, group order, chunk order and permute pairs must agree.
 * Operands are small integers, so every sum, product and average is exact and results must be equal. A mesh whose
 * ranks run backwards checks that groups follow the {@code ProcessGroup}'s ascending group-rank order, not the mesh's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpmdCollectiveEmulationTest {
    private static final int WORLD = 8;
    private static final Shape SHAPE = Shape.of(8, 3);
    private static final DeviceMesh MESH = DeviceMesh.of(new int[] {2, 4}, "dp", "tp");
    private static final DeviceMesh REVERSED = DeviceMesh.of(new int[] {2, 4}, new int[] {7, 6, 5, 4, 3, 2, 1, 0}, "dp", "tp");
    private static final Pattern OP = Pattern.compile("\"stablehlo\\.(all_reduce|all_gather|reduce_scatter|all_to_all|collective_permute)\"");

    private Backend cpu;
    private TensorFlowExecutor xla;

    @BeforeAll
    void start() {
        try {
            TensorFlowRuntime.loadNative();
        } catch (IllegalStateException e) {
            assumeTrue(false, "UNAVAILABLE: TensorFlow's native library does not load here: " + e.getMessage());
        }
        xla = new TensorFlowExecutor();
        cpu = new CpuBackendProvider().create(new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, Integer.toString(WORLD))));
    }

    @AfterAll
    void stop() {
        if (cpu != null) {
            cpu.close();
        }
        if (xla != null) {
            xla.close();
        }
    }

    /** What a rank calls on its group, and the collective the xla program records for it. */
    enum Call {
        ALL_REDUCE_SUM, ALL_REDUCE_AVG, ALL_REDUCE_MAX, ALL_REDUCE_MIN, ALL_REDUCE_PROD, ALL_GATHER, REDUCE_SCATTER_SUM, REDUCE_SCATTER_MAX, ALL_TO_ALL, SHIFT_BY_ONE
    }

    /** The three ways StableHLO reads replica groups; with one partition they name the same processes. */
    enum ChannelMode {
        NO_CHANNEL(0, false), CHANNEL(3, false), GLOBAL_DEVICE_IDS(3, true);

        final long channel;
        final boolean globalIds;

        ChannelMode(long channel, boolean globalIds) {
            this.channel = channel;
            this.globalIds = globalIds;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (DeviceMesh mesh : List.of(MESH, REVERSED)) {
            for (String axis : List.of("dp", "tp")) {
                for (Call call : Call.values()) {
                    for (DType dtype : List.of(DType.F32, DType.I32)) {
                        if (dtype == DType.I32 && call == Call.ALL_REDUCE_AVG) {
                            continue;
                        }
                        for (ChannelMode mode : ChannelMode.values()) {
                            // all_to_all and collective_permute have no global ids; with a channel their groups are
                            // partitions, of which these programs have one, so lowering must refuse them.
                            boolean hasGlobalIds = call != Call.ALL_TO_ALL && call != Call.SHIFT_BY_ONE;
                            if (mode != ChannelMode.GLOBAL_DEVICE_IDS || hasGlobalIds) {
                                cases.add(Arguments.of(mesh, axis, call, dtype, mode));
                            }
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} along {1}: {2} {3} {4}")
    @MethodSource("cases")
    void everyReplicaOfTheLoweredProgramComputesWhatItsRankComputesInProcess(DeviceMesh mesh, String axis, Call call, DType dtype, ChannelMode mode) {
        double[][] inputs = new double[WORLD][];
        for (int r = 0; r < WORLD; r++) {
            inputs[r] = HostValues.sample(dtype, SHAPE.size(), r + 1);
        }
        List<double[]> expected = inProcess(mesh, axis, call, dtype, inputs);

        ValueType in = new ValueType(dtype, SHAPE);
        CollectiveOp op = collectiveOf(call);
        Attributes attributes = attributesOf(call, mesh, axis, mode);
        ValueType collected = new ValueType(dtype, resultShape(op, attributes));
        if (mode.channel > 0 && (op == CollectiveOp.ALL_TO_ALL || op == CollectiveOp.COLLECTIVE_PERMUTE)) {
            var refused = assertThrows(IllegalArgumentException.class, () -> StableHloLowering.lower(program(in, op, attributes, collected)));
            assertTrue(refused.getMessage().contains("outside the grid, which has 1 partition ids"), refused.getMessage());
            return;
        }
        String module = StableHloLowering.lower(program(in, op, attributes, collected));

        List<double[]> operands = new ArrayList<>();
        try (XlaExecutable before = xla.compile(StableHloLowering.lower(square(in)), List.of(in), List.of(in))) {
            for (double[] input : inputs) {
                operands.add(HostValues.read(dtype, before.execute(List.of(HostValues.write(dtype, input))).getFirst()));
            }
        }
        List<double[]> exchanged = SpecEmulator.run(module, operands, SHAPE);
        try (XlaExecutable after = xla.compile(StableHloLowering.lower(negate(collected)), List.of(collected), List.of(collected))) {
            for (int r = 0; r < WORLD; r++) {
                MemorySegment out = after.execute(List.of(HostValues.write(dtype, exchanged.get(r)))).getFirst();
                assertArrayEquals(expected.get(r), HostValues.read(dtype, out), "rank " + r + " of " + mesh + " along " + axis);
            }
        }
    }

    private List<double[]> inProcess(DeviceMesh mesh, String axis, Call call, DType dtype, double[][] inputs) {
        return InProcessSpmd.call(cpu, WORLD, SpmdOptions.defaults(), ctx -> {
            ProcessGroup group = ctx.group(mesh, axis);
            Tensor x = ctx.scope().fromArray(inputs[ctx.rank()], SHAPE.dims()).cast(dtype);
            Tensor y = x.mul(x);
            Tensor z = switch (call) {
                case ALL_REDUCE_SUM -> group.allReduce(y, ReduceOp.SUM);
                case ALL_REDUCE_AVG -> group.allReduce(y, ReduceOp.AVG);
                case ALL_REDUCE_MAX -> group.allReduce(y, ReduceOp.MAX);
                case ALL_REDUCE_MIN -> group.allReduce(y, ReduceOp.MIN);
                case ALL_REDUCE_PROD -> group.allReduce(y, ReduceOp.PROD);
                case ALL_GATHER -> group.allGather(y);
                case REDUCE_SCATTER_SUM -> group.reduceScatter(y, ReduceOp.SUM);
                case REDUCE_SCATTER_MAX -> group.reduceScatter(y, ReduceOp.MAX);
                case ALL_TO_ALL -> group.allToAll(y);
                case SHIFT_BY_ONE -> {
                    Work<Void> sent = group.sendAsync(y, (group.rank() + 1) % group.size());
                    Tensor received = group.recv((group.rank() - 1 + group.size()) % group.size());
                    sent.await();
                    yield received;
                }
            };
            return z.neg().toDoubleArray();
        });
    }

    private static CollectiveOp collectiveOf(Call call) {
        return switch (call) {
            case ALL_REDUCE_SUM, ALL_REDUCE_AVG, ALL_REDUCE_MAX, ALL_REDUCE_MIN, ALL_REDUCE_PROD -> CollectiveOp.ALL_REDUCE;
            case ALL_GATHER -> CollectiveOp.ALL_GATHER;
            case REDUCE_SCATTER_SUM, REDUCE_SCATTER_MAX -> CollectiveOp.REDUCE_SCATTER;
            case ALL_TO_ALL -> CollectiveOp.ALL_TO_ALL;
            case SHIFT_BY_ONE -> CollectiveOp.COLLECTIVE_PERMUTE;
        };
    }

    private static Attributes attributesOf(Call call, DeviceMesh mesh, String axis, ChannelMode mode) {
        if (call == Call.SHIFT_BY_ONE) {
            return new Attributes.Permutation(CollectiveGroups.shiftAlongAxis(mesh, axis, 1), mode.channel);
        }
        Optional<ReduceOp> reduction = switch (call) {
            case ALL_REDUCE_SUM, REDUCE_SCATTER_SUM -> Optional.of(ReduceOp.SUM);
            case ALL_REDUCE_AVG -> Optional.of(ReduceOp.AVG);
            case ALL_REDUCE_MAX, REDUCE_SCATTER_MAX -> Optional.of(ReduceOp.MAX);
            case ALL_REDUCE_MIN -> Optional.of(ReduceOp.MIN);
            case ALL_REDUCE_PROD -> Optional.of(ReduceOp.PROD);
            default -> Optional.empty();
        };
        return new Attributes.Collective(CollectiveGroups.alongAxis(mesh, axis), mode.channel, mode.globalIds, reduction);
    }

    private static Shape resultShape(CollectiveOp op, Attributes attributes) {
        int group = attributes instanceof Attributes.Collective c ? c.replicaGroups().getFirst().size() : 1;
        int[] dims = SHAPE.dims();
        dims[0] = op == CollectiveOp.ALL_GATHER ? dims[0] * group : op == CollectiveOp.REDUCE_SCATTER ? dims[0] / group : dims[0];
        return Shape.of(dims);
    }

    private static Graph program(ValueType in, CollectiveOp op, Attributes attributes, ValueType collected) {
        Graph.Builder b = new Graph.Builder();
        int x = b.input(in);
        int y = b.add(new Node(Op.MUL, List.of(x, x), in, Attributes.NONE));
        int z = b.add(new Node(op, List.of(y), collected, attributes));
        return b.build(List.of(b.add(new Node(Op.NEG, List.of(z), collected, Attributes.NONE))));
    }

    private static Graph square(ValueType in) {
        Graph.Builder b = new Graph.Builder();
        int x = b.input(in);
        return b.build(List.of(b.add(new Node(Op.MUL, List.of(x, x), in, Attributes.NONE))));
    }

    private static Graph negate(ValueType in) {
        Graph.Builder b = new Graph.Builder();
        int x = b.input(in);
        return b.build(List.of(b.add(new Node(Op.NEG, List.of(x), in, Attributes.NONE))));
    }

    /**
     * The StableHLO specification's semantics of one collective of a lowered module, on all replicas at once, read
     * from the module's text alone (rank-2 operands of row-major doubles).
     */
    static final class SpecEmulator {
        private SpecEmulator() {
        }

        static List<double[]> run(String module, List<double[]> operands, Shape shape) {
            Matcher opMatch = OP.matcher(module);
            assertTrue(opMatch.find(), "the module holds a collective:\n" + module);
            String name = opMatch.group(1);
            String line = module.substring(opMatch.start(), module.indexOf('\n', module.indexOf("} : (", opMatch.start())));
            int replicas = integer(module, "mhlo\\.num_replicas = (\\d+) : i32");
            int partitions = integer(module, "mhlo\\.num_partitions = (\\d+) : i32");
            assertEquals(operands.size(), replicas * partitions, "one operand per process");
            long channel = line.contains("channel_handle") ? integer(line, "channel_handle = #stablehlo\\.channel_handle<handle = (\\d+), type = 1>") : 0;
            CollectiveOp op = Arrays.stream(CollectiveOp.values()).filter(o -> o.opName().equals(name)).findFirst().orElseThrow();
            Attributes attributes = op == CollectiveOp.COLLECTIVE_PERMUTE
                    ? new Attributes.Permutation(idLists(line, "source_target_pairs"), channel)
                    : new Attributes.Collective(idLists(line, "replica_groups"), channel, line.contains("use_global_device_ids"),
                            op == CollectiveOp.ALL_REDUCE || op == CollectiveOp.REDUCE_SCATTER ? Optional.of(ReduceOp.SUM) : Optional.empty());
            List<List<ProcessId>> groups = CollectiveGroups.processGroups(op, attributes, replicas, partitions);
            List<double[]> results = new ArrayList<>();
            for (int replica = 0; replica < replicas; replica++) {
                ProcessId self = new ProcessId(replica, 0);
                results.add(switch (op) {
                    case COLLECTIVE_PERMUTE -> groups.stream().filter(g -> g.get(1).equals(self)).findFirst()
                            .map(g -> operands.get(g.get(0).replica()).clone()).orElse(new double[operands.get(replica).length]);
                    default -> {
                        List<ProcessId> group = groups.stream().filter(g -> g.contains(self)).findFirst().orElseThrow();
                        List<double[]> received = group.stream().map(p -> operands.get(p.replica())).toList();
                        yield compute(op, module, line, received, group.indexOf(self), shape);
                    }
                });
            }
            return results;
        }

        private static double[] compute(CollectiveOp op, String module, String line, List<double[]> received, int index, Shape shape) {
            int rows = shape.dim(0);
            int columns = shape.dim(1);
            return switch (op) {
                case ALL_REDUCE -> divided(module, fold(module, received));
                case ALL_GATHER -> {
                    assertEquals(0, integer(line, "all_gather_dim = (\\d+) : i64"), "gathers along dim 0");
                    yield concat(received);
                }
                case REDUCE_SCATTER -> {
                    assertEquals(0, integer(line, "scatter_dimension = (\\d+) : i64"), "scatters along dim 0");
                    int chunk = rows / received.size();
                    yield Arrays.copyOfRange(fold(module, received), index * chunk * columns, (index + 1) * chunk * columns);
                }
                case ALL_TO_ALL -> {
                    assertEquals(0, integer(line, "split_dimension = (\\d+) : i64"));
                    assertEquals(0, integer(line, "concat_dimension = (\\d+) : i64"));
                    int parts = integer(line, "split_count = (\\d+) : i64");
                    assertEquals(received.size(), parts, "split_count is the group size");
                    int chunk = rows / parts;
                    yield concat(received.stream().map(o -> Arrays.copyOfRange(o, index * chunk * columns, (index + 1) * chunk * columns)).toList());
                }
                case COLLECTIVE_PERMUTE -> throw new IllegalStateException("handled by run");
            };
        }

        /** Folds the operands in group order with the region's combiner, as reduce_without_init does. */
        private static double[] fold(String module, List<double[]> operands) {
            Matcher region = Pattern.compile("\\^bb0\\([^)]*\\):\\s*\\n\\s*%\\d+ = \"stablehlo\\.(add|multiply|maximum|minimum)\"").matcher(module);
            assertTrue(region.find(), "the collective's region is one combiner:\n" + module);
            DoubleBinaryOperator combine = switch (region.group(1)) {
                case "add" -> Double::sum;
                case "multiply" -> (a, b) -> a * b;
                case "maximum" -> Math::max;
                default -> Math::min;
            };
            double[] acc = operands.getFirst().clone();
            for (double[] next : operands.subList(1, operands.size())) {
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = combine.applyAsDouble(acc[i], next[i]);
                }
            }
            return acc;
        }

        /** AVG is lowered as the sum divided by a splat constant; reads that constant from the text. */
        private static double[] divided(String module, double[] sum) {
            Matcher divide = Pattern.compile("\"stablehlo\\.constant\"\\(\\) \\{value = dense<0x([0-9A-F]{8})> : tensor<f32>}[^\\n]*\\n[^\\n]*broadcast_in_dim[^\\n]*\\n[^\\n]*\"stablehlo\\.divide\"").matcher(module);
            if (!divide.find()) {
                return sum;
            }
            float divisor = Float.intBitsToFloat(Integer.parseUnsignedInt(divide.group(1), 16));
            return Arrays.stream(sum).map(v -> v / divisor).toArray();
        }

        private static double[] concat(List<double[]> parts) {
            return parts.stream().flatMapToDouble(Arrays::stream).toArray();
        }

        private static int integer(String text, String regex) {
            Matcher m = Pattern.compile(regex).matcher(text);
            assertTrue(m.find(), () -> "'" + regex + "' in:\n" + text);
            return Integer.parseInt(m.group(1));
        }

        /** A dense<[[...], ...]> : tensor<NxMxi64> attribute as id lists. */
        private static List<List<Integer>> idLists(String line, String attribute) {
            Matcher m = Pattern.compile(attribute + " = dense<\\[(.*?)\\]> : tensor<(\\d+)x(\\d+)xi64>").matcher(line);
            assertTrue(m.find(), () -> attribute + " in " + line);
            List<List<Integer>> lists = new ArrayList<>();
            Matcher row = Pattern.compile("\\[([^\\]]*)\\]").matcher(m.group(1));
            while (row.find()) {
                lists.add(Arrays.stream(row.group(1).split(",")).map(String::strip).map(Integer::valueOf).toList());
            }
            assertEquals(Integer.parseInt(m.group(2)), lists.size(), "rows of " + attribute);
            return lists;
        }
    }
}
