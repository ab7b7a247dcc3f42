package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.UnsupportedOpException;
import dev.crossbar.backend.neuron.NeuronProgramRules.F64Policy;
import dev.crossbar.backend.xla.executor.XlaExecutable;
import dev.crossbar.backend.xla.executor.XlaExecutor;
import dev.crossbar.backend.xla.internal.tf.TensorFlowExecutor;
import dev.crossbar.backend.xla.internal.tf.TensorFlowRuntime;
import dev.crossbar.backend.xla.stablehlo.StableHloLowering;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Modules lowered by the xla lowering, checked by Neuron's rules and run on XLA:CPU; and modules the rules refuse before compiling. */
class NeuronExecutorTest {
    private static final SequenceBuckets BUCKETS = SequenceBuckets.of(128, 256);

    /** Keeps the modules handed to the runtime, which is XLA:CPU through TensorFlow Java. */
    private static final class RecordingRuntime implements XlaExecutor {
        private final XlaExecutor tensorflow = new TensorFlowExecutor();
        private final List<String> modules = new ArrayList<>();

        @Override
        public String platform() {
            return tensorflow.platform();
        }

        @Override
        public int replicas() {
            return tensorflow.replicas();
        }

        @Override
        public XlaExecutable compile(String stableHlo, List<ValueType> parameters, List<ValueType> results) {
            modules.add(stableHlo);
            return tensorflow.compile(stableHlo, parameters, results);
        }

        @Override
        public void close() {
            tensorflow.close();
        }
    }

    @BeforeAll
    static void needsTensorFlow() {
        assumeTrue(TensorFlowRuntime.version().isPresent(), "UNAVAILABLE: TensorFlow Java is not on the path: " + TensorFlowRuntime.ARTIFACTS);
    }

    @Test
    void theLoweringsF64AccumulatorComputesInF32AndTheReportSaysSo() {
        Graph.Builder builder = new Graph.Builder();
        int x = builder.input(new ValueType(DType.F32, Shape.of(2, 3)));
        int sum = builder.add(new Node(Op.REDUCE_SUM, List.of(x), new ValueType(DType.F32, Shape.of(2)), Attributes.Axes.of(1)));
        Graph graph = builder.build(List.of(sum));
        String module = StableHloLowering.lower(graph);
        assertTrue(module.contains("xf64>"), "the xla lowering accumulates F32 sums in F64: " + module);

        RecordingRuntime runtime = new RecordingRuntime();
        try (NeuronExecutor executor = new NeuronExecutor(runtime, NeuronProgramRules.defaults());
                XlaExecutable sums = executor.compile(module, graph.inputs(), graph.outputTypes())) {
            float[] values = {0.1f, 0.2f, 0.3f, 1.5f, 2.25f, -0.7f};
            float[] result = sums.execute(List.of(MemorySegment.ofArray(values))).getFirst().toArray(ValueLayout.JAVA_FLOAT);

            assertFalse(runtime.modules.getFirst().contains("f64"), runtime.modules.getFirst());
            for (int row = 0; row < 2; row++) {
                double exact = (double) values[3 * row] + values[3 * row + 1] + values[3 * row + 2];
                // Two F32 additions round twice: within two units in the last place of the exact sum.
                assertEquals(exact, result[row], 2 * Math.ulp((float) exact), "row " + row);
            }
            assertEquals(List.of("4 of 5 operations written in F64 computed as F32 (the xla lowering writes F32 sum accumulators and Philox's"
                    + " number mapping in F64)"), executor.lastReport().orElseThrow().conversions());
        }
    }

    private static Graph f64Sum() {
        Graph.Builder builder = new Graph.Builder();
        int a = builder.input(new ValueType(DType.F64, Shape.of(3)));
        int b = builder.input(new ValueType(DType.F64, Shape.of(3)));
        return builder.build(List.of(builder.add(new Node(Op.ADD, List.of(a, b), new ValueType(DType.F64, Shape.of(3)), Attributes.NONE))));
    }

    @Test
    void f64TensorArgumentsAreRefusedBeforeTheRuntimeSeesThem() {
        Graph graph = f64Sum();
        RecordingRuntime runtime = new RecordingRuntime();
        try (NeuronExecutor executor = new NeuronExecutor(runtime, NeuronProgramRules.defaults())) {
            var e = assertThrows(NeuronConfigurationException.class, () -> executor.compile(StableHloLowering.lower(graph), graph.inputs(), graph.outputTypes()));

            assertEquals(String.format("program 'module 1' breaks 2 Neuron rule(s):%n"
                    + "  operation #0 parameter (f64[3]) computes in F64, which Neuron does not support; use F32, or opt in to computing F64 in F32%n"
                    + "  operation #1 parameter (f64[3]) computes in F64, which Neuron does not support; use F32, or opt in to computing F64 in F32"),
                    e.getMessage());
            assertEquals(List.of(), runtime.modules);
        }
    }

    @Test
    void withTheOptInF64TensorsComputeInF32() {
        Graph graph = f64Sum();
        RecordingRuntime runtime = new RecordingRuntime();
        try (NeuronExecutor executor = new NeuronExecutor(runtime, new NeuronProgramRules(F64Policy.CAST_TO_F32, DType.BF16, BUCKETS));
                XlaExecutable sum = executor.compile(StableHloLowering.lower(graph), graph.inputs(), graph.outputTypes())) {
            double[] a = {0.1, 1.0 / 3, 1e-9};
            double[] b = {0.2, 1.0, 1};
            double[] result = sum.execute(List.of(MemorySegment.ofArray(a), MemorySegment.ofArray(b))).getFirst().toArray(ValueLayout.JAVA_DOUBLE);

            assertFalse(runtime.modules.getFirst().contains("f64"), runtime.modules.getFirst());
            for (int i = 0; i < a.length; i++) {
                assertEquals((double) ((float) a[i] + (float) b[i]), result[i], 0, "element " + i + " is the F32 sum of the F32-rounded inputs");
            }
            assertEquals(List.of("operation #0 parameter (f64[3]): F64 computed as F32", "operation #1 parameter (f64[3]): F64 computed as F32",
                    "1 F64 results computed as F32 and widened on the host", "1 of 1 operations written in F64 computed as F32 (the xla lowering"
                    + " writes F32 sum accumulators and Philox's number mapping in F64)"), executor.lastReport().orElseThrow().conversions());
        }
    }

    @Test
    void dynamicShapesAndWhileLoopsInAModuleAreRefused() {
        String module = """
                module @imported {
                  func.func public @main(%arg0: tensor<?x3xf32>, %arg1: tensor<i32>) -> (tensor<i32>) {
                    %0 = "stablehlo.while"(%arg1) ({
                    ^bb0(%i: tensor<i32>):
                      %1 = "stablehlo.compare"(%i, %i) {comparison_direction = #stablehlo<comparison_direction LT>} : (tensor<i32>, tensor<i32>) -> tensor<i1>
                      "stablehlo.return"(%1) : (tensor<i1>) -> ()
                    }, {
                    ^bb0(%i: tensor<i32>):
                      "stablehlo.return"(%i) : (tensor<i32>) -> ()
                    }) : (tensor<i32>) -> tensor<i32>
                    "func.return"(%0) : (tensor<i32>) -> ()
                  }
                }
                """;
        RecordingRuntime runtime = new RecordingRuntime();
        try (NeuronExecutor executor = new NeuronExecutor(runtime, NeuronProgramRules.defaults())) {
            var e = assertThrows(NeuronConfigurationException.class, () -> executor.compile(module,
                    List.of(new ValueType(DType.F32, Shape.of(4, 3)), ValueType.scalar(DType.I32)), List.of(ValueType.scalar(DType.I32))));

            assertTrue(e.getMessage().startsWith("program 'module 1' breaks 1 Neuron rule(s):"), e.getMessage());
            assertTrue(e.getMessage().contains("operation #3 while (i32[]) loops or branches on tensor values"), e.getMessage());
            assertEquals(List.of(), runtime.modules);
        }
        NeuronProgram program = NeuronProgram.ofStableHlo("imported", module, List.of(), List.of());
        assertEquals(List.of("compare", "while"), program.operations().stream().map(NeuronProgram.Operation::op).toList());
        var e = assertThrows(NeuronConfigurationException.class, () -> NeuronProgramRules.defaults().check(NeuronProgram.ofStableHlo("imported",
                module.replace("-> (tensor<i32>) {", "-> (tensor<i32>) {\n    %9 = \"stablehlo.abs\"(%arg0) : (tensor<?x3xf32>) -> tensor<?x3xf32>"), List.of(), List.of())));
        assertTrue(e.getMessage().contains("operation #0 abs (f32[?, 3]) has a data-dependent dimension"), e.getMessage());
    }

    @Test
    void theBackendRefusesF64TensorOpsWithATypedError() {
        NeuronBackendProvider provider = new NeuronBackendProvider();
        BackendContext context = new BackendContext(Map.of("crossbar.neuron.executor", "tensorflow"));
        assumeTrue(provider.probe(context).available(), () -> provider.probe(context).reason());
        try (Backend backend = provider.create(context); TensorScope scope = TensorScope.root(backend, backend.devices().getFirst())) {
            var doubles = scope.fromArray(new double[] {1, 2}, 2);

            var e = assertThrows(UnsupportedOpException.class, doubles::exp);
            assertTrue(e.getMessage().contains("neuron"), e.getMessage());
            assertArrayEquals(new double[] {1.5, 2.5}, scope.fromArray(new float[] {1, 2}, 2).add(0.5).toDoubleArray(), "an F32 tensor reads as doubles");
            long[] large = {(1L << 24) + 1, (1L << 40) + 1, -3};
            assertArrayEquals(new double[] {(1L << 24) + 1, (1L << 40) + 1, -3}, scope.fromArray(large, 3).toDoubleArray(),
                    "I64 reads as doubles exactly: converted on the host, not through F32");
            var report = ((NeuronBackend) backend).executor().lastReport().orElseThrow();
            assertEquals("1 F64 results converted from their source type on the host", report.conversions().getFirst());
        }
    }
}
