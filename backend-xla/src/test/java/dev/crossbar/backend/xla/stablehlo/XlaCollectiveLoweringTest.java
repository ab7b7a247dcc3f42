package dev.crossbar.backend.xla.stablehlo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.backend.xla.executor.XlaExecutable;
import dev.crossbar.backend.xla.executor.XlaExecutionException;
import dev.crossbar.backend.xla.internal.tf.TensorFlowExecutor;
import dev.crossbar.backend.xla.internal.tf.TensorFlowRuntime;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.Ops;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.Float8;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.CollectiveOp;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every collective but {@code collective_permute}, for every element type a
 * {@link dev.crossbar.api.distributed.ProcessGroup} admits for it, recorded by the lazy engine, lowered to StableHLO and
 * given to XLA:CPU (TensorFlow Java's {@code XlaCallModule}) as an SPMD program of one replica, groups {@code [[0]]}.
 * {@code all_reduce} runs and must return what a one-rank collective returns, its operand, bit for bit; the others must
 * get through XLA's parser, verifier and compiler and stop only where XLA:CPU lacks a device assignment. Each channel
 * mode of the specification is given once. Multi-replica semantics are checked by {@link SpmdCollectiveEmulationTest},
 * because {@code XlaCallModule} runs one replica only (shown below).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XlaCollectiveLoweringTest {
    private static final Shape SHAPE = Shape.of(4, 3);
    private static final Device DEVICE = new Device("xla", 0);
    private static final List<List<Integer>> ONE_REPLICA = List.of(List.of(0));

    private LazyEngine engine;

    @BeforeAll
    void loadXla() {
        try {
            TensorFlowRuntime.loadNative();
        } catch (IllegalStateException e) {
            assumeTrue(false, "UNAVAILABLE: TensorFlow's native library does not load here: " + e.getMessage());
        }
        engine = new LazyEngine(new TensorFlowExecutor());
    }

    @AfterAll
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    static Stream<Arguments> collectives() {
        List<Arguments> cases = new ArrayList<>();
        for (DType dtype : DType.values()) {
            cases.add(Arguments.of(CollectiveOp.ALL_GATHER, dtype, new Attributes.Collective(ONE_REPLICA, 0, false, Optional.empty())));
            cases.add(Arguments.of(CollectiveOp.ALL_TO_ALL, dtype, new Attributes.Collective(ONE_REPLICA, 0, false, Optional.empty())));
            for (ReduceOp reduction : ReduceOp.values()) {
                if (dtype != DType.BOOL && (dtype.isFloating() || reduction.admitsIntegers())) {
                    cases.add(Arguments.of(CollectiveOp.ALL_REDUCE, dtype, new Attributes.Collective(ONE_REPLICA, 0, false, Optional.of(reduction))));
                    cases.add(Arguments.of(CollectiveOp.REDUCE_SCATTER, dtype, new Attributes.Collective(ONE_REPLICA, 0, false, Optional.of(reduction))));
                }
            }
        }
        Optional<ReduceOp> sum = Optional.of(ReduceOp.SUM);
        cases.add(Arguments.of(CollectiveOp.ALL_REDUCE, DType.F32, new Attributes.Collective(ONE_REPLICA, 7, false, sum)));
        cases.add(Arguments.of(CollectiveOp.ALL_REDUCE, DType.F32, new Attributes.Collective(ONE_REPLICA, 7, true, sum)));
        cases.add(Arguments.of(CollectiveOp.ALL_GATHER, DType.F32, new Attributes.Collective(ONE_REPLICA, 8, true, Optional.empty())));
        cases.add(Arguments.of(CollectiveOp.REDUCE_SCATTER, DType.F32, new Attributes.Collective(ONE_REPLICA, 9, true, sum)));
        cases.add(Arguments.of(CollectiveOp.ALL_TO_ALL, DType.F32, new Attributes.Collective(ONE_REPLICA, 10, false, Optional.empty())));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("collectives")
    void aOneReplicaCollectiveIsAcceptedByXlaCpuAndAllReduceReturnsItsOperand(CollectiveOp op, DType dtype, Attributes attributes) {
        MemorySegment operand = HostValues.write(dtype, HostValues.sample(dtype, SHAPE.size(), 3));
        DeviceBuffer input = engine.allocate(DEVICE, operand.byteSize());
        engine.copyFromHost(operand, input, 0);
        DeviceBuffer output = engine.allocate(DEVICE, operand.byteSize());
        long compilations = engine.compilations();
        engine.write(TensorView.contiguous(output, dtype, SHAPE), Ops.collective(op, attributes, engine.read(TensorView.contiguous(input, dtype, SHAPE))));
        MemorySegment result = Arena.ofAuto().allocate(operand.byteSize());
        try {
            if (runsOnXlaCallModule(op)) {
                engine.copyToHost(output, 0, result);
                assertEquals(compilations + 1, engine.compilations(), "the collective was compiled by XLA");
                assertEquals(-1, operand.mismatch(result), () -> String.format("%s on one replica returned %s for operand %s", op.opName(),
                        HostValues.toList(dtype, result), HostValues.toList(dtype, operand)));
            } else {
                var stopped = assertThrows(XlaExecutionException.class, engine::synchronize);
                assertTrue(stopped.getCause() != null && stopped.getCause().getMessage().contains("Device assignment is null"),
                        () -> op.opName() + " should pass XLA's parsing, verification and compilation and stop only at XLA:CPU's missing device assignment: "
                                + stopped.getCause());
            }
        } finally {
            input.close();
            output.close();
        }
    }

    /**
     * What XLA:CPU under {@code XlaCallModule} (TensorFlow Java 1.1.0) executes: it has no device assignment, so only a
     * one-replica all_reduce runs, with or without a channel (XLA replaces it by its operand); the others are parsed,
     * verified and compiled, then refused at run time by the collective runtime ("Device assignment is null").
     */
    private static boolean runsOnXlaCallModule(CollectiveOp op) {
        return op == CollectiveOp.ALL_REDUCE;
    }

    @Test
    void collectivePermuteIsRefusedBeforeItCanCrashTheProcess() {
        ValueType type = new ValueType(DType.F32, SHAPE);
        Graph.Builder builder = new Graph.Builder();
        int x = builder.input(type);
        Graph graph = builder.build(List.of(builder.add(new Node(CollectiveOp.COLLECTIVE_PERMUTE, List.of(x), type, new Attributes.Permutation(List.of(List.of(0, 0)), 0)))));
        var refused = assertThrows(XlaExecutionException.class, () -> engine.executor().compile(StableHloLowering.lower(graph), List.of(type), List.of(type)));
        assertTrue(refused.getMessage().contains("collective_permute"), refused.getMessage());
    }

    @Test
    void xlaCallModuleRunsATwoReplicaProgramAsOneReplicaSoTheEngineRefusesIt() {
        ValueType type = new ValueType(DType.F32, Shape.of(4));
        Attributes.Collective twoReplicas = new Attributes.Collective(List.of(List.of(0, 1)), 0, false, Optional.of(ReduceOp.SUM));
        Graph.Builder builder = new Graph.Builder();
        int x = builder.input(type);
        Graph graph = builder.build(List.of(builder.add(new Node(CollectiveOp.ALL_REDUCE, List.of(x), type, twoReplicas))));
        String module = StableHloLowering.lower(graph);
        assertTrue(module.contains("mhlo.num_replicas = 2 : i32, mhlo.num_partitions = 1 : i32"), module);
        MemorySegment operand = HostValues.write(DType.F32, new double[] {1, 2, 3, 4});

        try (XlaExecutable executable = engine.executor().compile(module, List.of(type), List.of(type))) {
            MemorySegment result = executable.execute(List.of(operand)).getFirst();
            assertEquals(-1, operand.mismatch(result), "XlaCallModule neither refuses mhlo.num_replicas = 2 nor sums two replicas: it returns the one operand");
        }

        DeviceBuffer input = engine.allocate(DEVICE, operand.byteSize());
        engine.copyFromHost(operand, input, 0);
        DeviceBuffer output = engine.allocate(DEVICE, operand.byteSize());
        engine.write(TensorView.contiguous(output, DType.F32, Shape.of(4)),
                Ops.collective(CollectiveOp.ALL_REDUCE, twoReplicas, engine.read(TensorView.contiguous(input, DType.F32, Shape.of(4)))));
        var refused = assertThrows(XlaExecutionException.class, engine::synchronize);
        assertTrue(refused.getMessage().contains("SPMD program of 2 replicas") && refused.getMessage().contains("runs 1"), refused.getMessage());
        input.close();
        output.close();
    }

    @Test
    void unevenChunksAreRefusedWithTheSizes() {
        DeviceBuffer input = engine.allocate(DEVICE, 5 * Float.BYTES);
        var value = engine.read(TensorView.contiguous(input, DType.F32, Shape.of(5)));
        var e = assertThrows(IllegalArgumentException.class, () -> Ops.collective(CollectiveOp.REDUCE_SCATTER,
                new Attributes.Collective(List.of(List.of(0, 1)), 0, false, Optional.of(ReduceOp.SUM)), value));
        assertTrue(e.getMessage().contains("reduce_scatter") && e.getMessage().contains("5 rows"), e.getMessage());
        input.close();
    }

    /** Host arrays of every element type, written from and read back to doubles. */
    static final class HostValues {
        private HostValues() {
        }

        /** Small integers (exact in every type), different per {@code seed}; 0 and 1 alternately for BOOL. */
        static double[] sample(DType dtype, long size, int seed) {
            double[] values = new double[Math.toIntExact(size)];
            for (int i = 0; i < values.length; i++) {
                values[i] = dtype == DType.BOOL ? (i + seed) % 2 : ((i * 7 + seed * 5) % 11) - 5;
            }
            return values;
        }

        static MemorySegment write(DType dtype, double[] values) {
            MemorySegment out = Arena.ofAuto().allocate((long) values.length * dtype.byteSize(), 8);
            for (int i = 0; i < values.length; i++) {
                double v = values[i];
                switch (dtype) {
                    case F32 -> out.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
                    case F64 -> out.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
                    case F16 -> out.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16((float) v));
                    case BF16 -> out.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (Float.floatToRawIntBits((float) v) >>> 16));
                    case I8, BOOL -> out.set(ValueLayout.JAVA_BYTE, i, (byte) v);
                    case I32 -> out.setAtIndex(ValueLayout.JAVA_INT, i, (int) v);
                    case I64 -> out.setAtIndex(ValueLayout.JAVA_LONG, i, (long) v);
                }
            }
            return out;
        }

        static double[] read(DType dtype, MemorySegment data) {
            double[] values = new double[Math.toIntExact(data.byteSize() / dtype.byteSize())];
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (dtype) {
                    case F32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    case F64 -> data.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                    case F16 -> Float.float16ToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT, i));
                    case BF16 -> Float.intBitsToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT, i) << 16);
                    case I8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i);
                    case I32 -> data.getAtIndex(ValueLayout.JAVA_INT, i);
                    case I64 -> data.getAtIndex(ValueLayout.JAVA_LONG, i);
                    case F8E4M3FN, F8E5M2 -> Float8.decode(dtype, data.get(ValueLayout.JAVA_BYTE, i));
                };
            }
            return values;
        }

        static List<Double> toList(DType dtype, MemorySegment data) {
            return java.util.Arrays.stream(read(dtype, data)).boxed().toList();
        }
    }
}
