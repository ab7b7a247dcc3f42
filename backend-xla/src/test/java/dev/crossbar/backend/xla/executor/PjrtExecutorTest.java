package dev.crossbar.backend.xla.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.backend.xla.internal.ffi.FakePjrtPlugin;
import dev.crossbar.backend.xla.pjrt.PjrtClient;
import dev.crossbar.backend.xla.pjrt.PjrtPlugin;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The executor seam run through the PJRT client against the fake PJRT plugin of src/test/c. */
class PjrtExecutorTest {
    private static final String ADD = """
            module @add {
              func.func public @main(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
                %0 = stablehlo.add %arg0, %arg1 : tensor<2xf32>
                return %0 : tensor<2xf32>
              }
            }
            """;
    private static final ValueType F32_2 = new ValueType(DType.F32, Shape.of(2));

    @Test
    void compilesAndRunsThroughPjrt() {
        PjrtPlugin plugin = PjrtPlugin.load(FakePjrtPlugin.compile("fake_pjrt_plugin.so").library());
        try (PjrtExecutor executor = new PjrtExecutor(PjrtClient.create(plugin));
                XlaExecutable add = executor.compile(ADD, List.of(F32_2, F32_2), List.of(F32_2))) {
            List<MemorySegment> sum = add.execute(List.of(MemorySegment.ofArray(new float[] {1, 2}), MemorySegment.ofArray(new float[] {0.5f, -4})));

            assertArrayEquals(new float[] {1.5f, -2}, sum.getFirst().toArray(ValueLayout.JAVA_FLOAT));
            assertTrue(executor.platform().startsWith("fake (fake 1.0) through PJRT plugin "), executor.platform());
        }
    }

    @Test
    void resultsOfAnotherShapeThanDeclaredAreRefused() {
        PjrtPlugin plugin = PjrtPlugin.load(FakePjrtPlugin.compile("fake_pjrt_plugin.so").library());
        try (PjrtExecutor executor = new PjrtExecutor(PjrtClient.create(plugin));
                XlaExecutable add = executor.compile(ADD, List.of(F32_2, F32_2), List.of(new ValueType(DType.F32, Shape.of(1, 2))))) {
            var e = assertThrows(XlaExecutionException.class,
                    () -> add.execute(List.of(MemorySegment.ofArray(new float[] {1, 2}), MemorySegment.ofArray(new float[] {3, 4}))));

            assertEquals("result 0 came back as f32[2]; the module declares f32[1, 2]", e.getMessage());
        }
    }

    @Test
    void aModuleThePluginRejectsIsAnExecutionException() {
        PjrtPlugin plugin = PjrtPlugin.load(FakePjrtPlugin.compile("fake_pjrt_plugin.so").library());
        try (PjrtExecutor executor = new PjrtExecutor(PjrtClient.create(plugin))) {
            var e = assertThrows(XlaExecutionException.class,
                    () -> executor.compile(ADD.replace("stablehlo.add", "stablehlo.divide"), List.of(F32_2, F32_2), List.of(F32_2)));

            assertTrue(e.getMessage().startsWith("PJRT could not compile the module: PJRT_Client_Compile failed with PJRT_Error_Code_UNIMPLEMENTED (12)"),
                    e.getMessage());
        }
    }
}
