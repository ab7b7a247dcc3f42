package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossbar.api.Shape;
import dev.crossbar.backend.xla.pjrt.CompileOptions;
import dev.crossbar.backend.xla.pjrt.HostArray;
import dev.crossbar.backend.xla.pjrt.PjrtClient;
import dev.crossbar.backend.xla.pjrt.PjrtExecutable;
import dev.crossbar.backend.xla.pjrt.PjrtPlugin;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compile cache wired to a PJRT client: the fake PJRT plugin stands in for the Neuron plugin. */
class NeuronCompilerTest {
    private static final String ADD = """
            module @add {
              func.func public @main(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>) -> tensor<3xf32> {
                %0 = stablehlo.add %arg0, %arg1 : tensor<3xf32>
                return %0 : tensor<3xf32>
              }
            }
            """;

    @TempDir
    Path folder;

    @Test
    void aSecondProcessLoadsTheCompiledProgramFromTheCache() {
        PjrtPlugin plugin = PjrtPlugin.load(FakeNeuronPlugin.compile());
        NeuronCompileCache cache = new NeuronCompileCache(folder);
        List<HostArray> inputs = List.of(HostArray.ofFloats(Shape.of(3), 1, 2, 3), HostArray.ofFloats(Shape.of(3), 0.5f, 0.25f, -3));

        try (PjrtClient first = PjrtClient.create(plugin); PjrtExecutable compiled = new NeuronCompiler(first, cache, List.of("-O1")).compile(ADD,
                CompileOptions.SINGLE_DEVICE)) {
            assertArrayEquals(new float[] {1.5f, 2.25f, 0}, first.execute(compiled, inputs).getFirst().toFloatArray());
        }
        try (PjrtClient second = PjrtClient.create(plugin); PjrtExecutable loaded = new NeuronCompiler(second, cache, List.of("-O1")).compile(ADD,
                CompileOptions.SINGLE_DEVICE)) {
            assertArrayEquals(new float[] {1.5f, 2.25f, 0}, second.execute(loaded, inputs).getFirst().toFloatArray());
        }
        try (PjrtClient third = PjrtClient.create(plugin); PjrtExecutable recompiled = new NeuronCompiler(third, cache, List.of("-O2")).compile(ADD,
                CompileOptions.SINGLE_DEVICE)) {
            assertEquals(1, recompiled.outputCount());
        }

        NeuronCompileCache.Stats stats = cache.stats();
        assertEquals(1, stats.hits());
        assertEquals(2, stats.misses());
        assertEquals(2, stats.entries());
    }

    @Test
    void compilerFlagsComeFromNeuronCcFlags() {
        assertEquals(List.of("--lnc=2", "-O1"), NeuronCompiler.compilerFlags(Map.of("NEURON_CC_FLAGS", " --lnc=2   -O1 ")::get));
        assertEquals(List.of(), NeuronCompiler.compilerFlags(Map.<String, String>of()::get));
    }
}
