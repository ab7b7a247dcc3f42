package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.backend.neuron.NeuronProgram.ControlFlow;
import dev.crossbar.backend.neuron.NeuronProgram.Operation;
import dev.crossbar.backend.neuron.NeuronProgramRules.F64Policy;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.util.List;
import org.junit.jupiter.api.Test;

class NeuronProgramRulesTest {
    private static final SequenceBuckets BUCKETS = SequenceBuckets.of(128, 256, 512);

    @Test
    void aStaticBf16ProgramPassesUnchanged() {
        NeuronProgram program = new NeuronProgram("mlp", List.of(
                Operation.of("dot_general", DType.BF16, 32, 256),
                Operation.of("tanh", DType.BF16, 32, 256),
                Operation.of("reduce", DType.I32, 32)));

        var report = new NeuronProgramRules(F64Policy.REJECT, DType.BF16, BUCKETS).check(program);

        assertEquals(DType.BF16, report.computeType());
        assertEquals(List.of(128, 256, 512), report.buckets().lengths());
        assertEquals(List.of(), report.conversions());
    }

    @Test
    void f32MatrixProductsComputeInBf16ByDefaultAndTheReportSaysSo() {
        NeuronProgram program = new NeuronProgram("linear", List.of(Operation.of("dot_general", DType.F32, 8, 16), Operation.of("tanh", DType.F32, 8, 16)));

        assertEquals(List.of("operation #0 dot_general (f32[8, 16]): F32 computed in BF16"), NeuronProgramRules.defaults().check(program).conversions());
        assertEquals(List.of(), new NeuronProgramRules(F64Policy.REJECT, DType.F32, BUCKETS).check(program).conversions());
    }

    @Test
    void f64IsRefusedUnlessTheCastIsChosen() {
        NeuronProgram program = new NeuronProgram("double", List.of(Operation.of("add", DType.F64, 4)));

        var e = assertThrows(NeuronConfigurationException.class, () -> new NeuronProgramRules(F64Policy.REJECT, DType.F32, BUCKETS).check(program));
        var report = new NeuronProgramRules(F64Policy.CAST_TO_F32, DType.F32, BUCKETS).check(program);

        assertEquals(String.format("program 'double' breaks 1 Neuron rule(s):%n  operation #0 add (f64[4]) computes in F64, which Neuron does not"
                + " support; use F32, or opt in to computing F64 in F32"), e.getMessage());
        assertEquals(List.of("operation #0 add (f64[4]): F64 computed as F32"), report.conversions());
    }

    @Test
    void dynamicShapesAndDataDependentControlFlowAreNamedTogether() {
        NeuronProgram program = new NeuronProgram("decoder", List.of(
                Operation.of("gather", DType.BF16, NeuronProgram.DYNAMIC, 64),
                new Operation("while", DType.I32, List.of(), ControlFlow.DATA_DEPENDENT),
                new Operation("while", DType.I32, List.of(), ControlFlow.STATIC)));

        var e = assertThrows(NeuronConfigurationException.class, () -> NeuronProgramRules.defaults().check(program));

        assertEquals(String.format("program 'decoder' breaks 2 Neuron rule(s):%n"
                + "  operation #0 gather (bf16[?, 64]) has a data-dependent dimension; Neuron compiles static shapes only: pad variable sequence"
                + " lengths to the sequence buckets [128, 256, 512, 1024, 2048, 4096, 8192]%n"
                + "  operation #1 while (i32[]) loops or branches on tensor values; Neuron needs control flow decided at compile time: unroll the"
                + " loop, give it a constant trip count, or compute both branches and select"), e.getMessage());
    }

    @Test
    void rulesApplyToALazyGraph() {
        Graph.Builder builder = new Graph.Builder();
        int x = builder.input(new ValueType(DType.F64, Shape.of(4, 8)));
        int w = builder.input(new ValueType(DType.F64, Shape.of(4, 8)));
        int sum = builder.add(new Node(Op.ADD, List.of(x, w), new ValueType(DType.F64, Shape.of(4, 8)), Attributes.NONE));
        Graph graph = builder.build(List.of(sum));

        var e = assertThrows(NeuronConfigurationException.class, () -> NeuronProgramRules.defaults().check(NeuronProgram.of("step", graph)));
        var report = new NeuronProgramRules(F64Policy.CAST_TO_F32, DType.BF16, BUCKETS).check(NeuronProgram.of("step", graph));

        assertTrue(e.getMessage().startsWith("program 'step' breaks 3 Neuron rule(s):"), e.getMessage());
        assertTrue(e.getMessage().contains("operation #2 add (f64[4, 8]) computes in F64"), e.getMessage());
        assertEquals(List.of("operation #0 parameter (f64[4, 8]): F64 computed as F32", "operation #1 parameter (f64[4, 8]): F64 computed as F32",
                "operation #2 add (f64[4, 8]): F64 computed as F32"), report.conversions());
    }

    @Test
    void sequencesArePaddedToTheSmallestBucketThatHoldsThem() {
        assertEquals(128, BUCKETS.bucketFor(1));
        assertEquals(128, BUCKETS.bucketFor(128));
        assertEquals(256, BUCKETS.bucketFor(129));
        assertEquals(512, BUCKETS.bucketFor(500));
        var e = assertThrows(NeuronConfigurationException.class, () -> BUCKETS.bucketFor(513));
        assertEquals("sequence length 513 is longer than the largest bucket of [128, 256, 512]; add a bucket of at least 513 or truncate the"
                + " sequence", e.getMessage());
        assertEquals(List.of(64, 128, 256), SequenceBuckets.powersOfTwo(64, 256).lengths());
    }

    @Test
    void badBucketsAndComputeTypesAreRefused() {
        assertEquals("sequence buckets must be positive and strictly increasing, not [256, 128]",
                assertThrows(NeuronConfigurationException.class, () -> SequenceBuckets.of(256, 128)).getMessage());
        assertEquals("power-of-two buckets need powers of two with smallest <= largest, not 100 and 400",
                assertThrows(NeuronConfigurationException.class, () -> SequenceBuckets.powersOfTwo(100, 400)).getMessage());
        assertEquals("compute type I32 is not one Neuron computes in; use BF16 (the default), F16 or F32",
                assertThrows(NeuronConfigurationException.class, () -> new NeuronProgramRules(F64Policy.REJECT, DType.I32, BUCKETS)).getMessage());
    }
}
