package dev.crossbar.backend.xla.pjrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.backend.xla.internal.ffi.FakePjrtPlugin;
import dev.crossbar.backend.xla.internal.ffi.PjrtErrorCode;
import dev.crossbar.backend.xla.internal.ffi.PjrtException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole client path, run for real against the fake PJRT plugin of src/test/c. */
class PjrtClientTest {
    private static final String ADD = """
            module @add {
              func.func public @main(%arg0: tensor<2x3xf32>, %arg1: tensor<2x3xf32>) -> tensor<2x3xf32> {
                %0 = stablehlo.add %arg0, %arg1 : tensor<2x3xf32>
                return %0 : tensor<2x3xf32>
              }
            }
            """;
    private static final String ADD_AND_MULTIPLY = """
            module @add_and_multiply {
              func.func public @main(%arg0: tensor<4xi32>, %arg1: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
                %0 = stablehlo.add %arg0, %arg1 : tensor<4xi32>
                %1 = stablehlo.multiply %arg0, %arg1 : tensor<4xi32>
                return %0, %1 : tensor<4xi32>, tensor<4xi32>
              }
            }
            """;

    private FakePjrtPlugin fake;
    private PjrtPlugin plugin;
    private long liveBefore;

    @BeforeEach
    void loadPlugin() {
        fake = FakePjrtPlugin.compile("fake_pjrt_plugin.so");
        plugin = PjrtPlugin.load(fake.library());
        liveBefore = fake.liveObjects();
    }

    @AfterEach
    void everyPjrtObjectWasDestroyed() {
        fake.delayCompletions(0);
        assertEquals(liveBefore, fake.liveObjects(), "PJRT errors, events, clients, executables or buffers left undestroyed");
    }

    @Test
    void pluginReportsItsVersionAndAttributesAndIsInitializedOnce() {
        PjrtPlugin again = PjrtPlugin.load(fake.library());

        assertEquals("0.54", plugin.apiVersion());
        assertEquals(Map.of("xla_version", 2L, "stablehlo_current_version", List.of(1L, 9L, 3L), "platform", "fake", "supports_bf16", true,
                "clock_ghz", 1.5f), plugin.attributes());
        assertEquals(plugin, again);
        assertEquals(1, fake.initializeCalls());
    }

    @Test
    void clientListsItsAddressableDevices() {
        try (PjrtClient client = PjrtClient.create(plugin)) {
            assertEquals("fake", client.platformName());
            assertEquals("fake 1.0", client.platformVersion());
            assertEquals(List.of(0, 1), client.devices().stream().map(PjrtDevice::id).toList());
            PjrtDevice second = client.devices().get(1);
            assertEquals("FakeCore", second.kind());
            assertEquals("FakeDevice(id=1)", second.description());
            assertEquals(1, second.localHardwareId());
            assertEquals(0, second.processIndex());
            assertEquals(Map.of("core_count", 2L), second.attributes());
        }
    }

    @Test
    void createOptionsReachThePlugin() {
        try (PjrtClient client = PjrtClient.create(plugin, Map.of("device_count", 3L), Duration.ofSeconds(10))) {
            assertEquals(3, client.devices().size());
        }
    }

    @Test
    void aRefusedCreateOptionIsAnExceptionWithTheSymbolicCode() {
        var e = assertThrows(PjrtException.class, () -> PjrtClient.create(plugin, Map.of("color", "blue"), Duration.ofSeconds(10)));

        assertEquals("PJRT_Client_Create failed with PJRT_Error_Code_INVALID_ARGUMENT (3): unknown create option 'color' of type 0 (PJRT plugin "
                + fake.library() + ")", e.getMessage());
        assertEquals(Optional.of(PjrtErrorCode.INVALID_ARGUMENT), e.code());
        assertEquals("PJRT_Client_Create", e.function());
    }

    @Test
    void compilesAndExecutesAnAddModule() {
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] b = {0.5f, -2, 10, 0, -7.25f, 1e6f};
        try (PjrtClient client = PjrtClient.create(plugin); PjrtExecutable add = client.compile(ADD)) {
            List<HostArray> results = client.execute(add, List.of(HostArray.ofFloats(Shape.of(2, 3), a), HostArray.ofFloats(Shape.of(2, 3), b)));

            assertEquals(1, results.size());
            assertEquals(Shape.of(2, 3), results.getFirst().shape());
            assertEquals(DType.F32, results.getFirst().dtype());
            float[] expected = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                expected[i] = a[i] + b[i];
            }
            assertArrayEquals(expected, results.getFirst().toFloatArray());
            assertEquals("main", add.name());
            assertEquals(List.of(client.devices().getFirst()), add.devices());
        }
    }

    @Test
    void executesAModuleWithTwoResults() {
        int[] a = {1, -2, 300, 7};
        int[] b = {5, 6, -7, 0};
        try (PjrtClient client = PjrtClient.create(plugin); PjrtExecutable program = client.compile(ADD_AND_MULTIPLY)) {
            List<HostArray> results = client.execute(program, List.of(HostArray.ofInts(Shape.of(4), a), HostArray.ofInts(Shape.of(4), b)));

            assertEquals(2, program.outputCount());
            assertArrayEquals(new int[] {6, 4, 293, 7}, results.get(0).toIntArray());
            assertArrayEquals(new int[] {5, -12, -2100, 0}, results.get(1).toIntArray());
        }
    }

    @Test
    void everyHostBufferSemanticsRoundTripsTheData() {
        double[] values = {Math.PI, -0.0, Double.MAX_VALUE, 1e-300};
        try (PjrtClient client = PjrtClient.create(plugin)) {
            for (HostBufferSemantics semantics : HostBufferSemantics.values()) {
                double[] source = values.clone();
                try (PjrtBuffer buffer = client.toDevice(HostArray.ofDoubles(Shape.of(2, 2), source), client.devices().get(1), semantics)) {
                    source[0] = 0; // the client staged the array, so the caller may reuse it at once
                    HostArray back = client.toHost(buffer);
                    assertArrayEquals(values, back.toDoubleArray(), semantics.name());
                    assertEquals(Shape.of(2, 2), back.shape(), semantics.name());
                }
            }
        }
    }

    @Test
    void runsOnSeveralDevicesWhenCompiledForSeveralReplicas() {
        try (PjrtClient client = PjrtClient.create(plugin); PjrtExecutable add = client.compile(ADD.replace("f32", "i64"), new CompileOptions(2, 1))) {
            assertEquals(client.devices(), add.devices());
            List<List<PjrtBuffer>> arguments = List.of(
                    List.of(toDevice(client, 0, 1, 2), toDevice(client, 0, 10, 20)),
                    List.of(toDevice(client, 1, 100, 200), toDevice(client, 1, 1000, 2000)));

            List<List<PjrtBuffer>> results = client.executeOnDevices(add, arguments);

            assertArrayEquals(new long[] {11, 22}, client.toHost(results.get(0).getFirst()).toLongArray());
            assertArrayEquals(new long[] {1100, 2200}, client.toHost(results.get(1).getFirst()).toLongArray());
            assertEquals(client.devices().get(1), results.get(1).getFirst().device());
        }
    }

    private static PjrtBuffer toDevice(PjrtClient client, int device, long... values) {
        return client.toDevice(HostArray.ofLongs(Shape.of(values.length), values), client.devices().get(device), HostBufferSemantics.IMMUTABLE_ONLY_DURING_CALL);
    }

    @Test
    void aSerializedExecutableLoadsAndRunsLikeTheCompiledOne() {
        try (PjrtClient client = PjrtClient.create(plugin)) {
            byte[] serialized;
            try (PjrtExecutable compiled = client.compile(ADD_AND_MULTIPLY)) {
                serialized = client.serialize(compiled);
            }
            try (PjrtExecutable loaded = client.deserialize(serialized)) {
                List<HostArray> results = client.execute(loaded, List.of(HostArray.ofInts(Shape.of(2), 3, 4), HostArray.ofInts(Shape.of(2), 5, -6)));

                assertEquals("fake-executable add=1 multiply=1 devices=1", new String(serialized, StandardCharsets.UTF_8));
                assertArrayEquals(new int[] {8, -2}, results.get(0).toIntArray());
                assertArrayEquals(new int[] {15, -24}, results.get(1).toIntArray());
            }
            var e = assertThrows(PjrtException.class, () -> client.deserialize(new byte[] {1, 2, 3}));
            assertEquals(Optional.of(PjrtErrorCode.INVALID_ARGUMENT), e.code());
        }
    }

    @Test
    void aModuleThePluginCannotCompileIsUnimplemented() {
        try (PjrtClient client = PjrtClient.create(plugin)) {
            var e = assertThrows(PjrtException.class, () -> client.compile(ADD.replace("stablehlo.add", "stablehlo.subtract")));

            assertEquals("PJRT_Client_Compile failed with PJRT_Error_Code_UNIMPLEMENTED (12): the fake PJRT plugin compiles only stablehlo.add and"
                    + " stablehlo.multiply of two arguments (PJRT plugin " + fake.library() + ")", e.getMessage());
        }
    }

    @Test
    void moreReplicasThanDevicesIsRefusedByThePlugin() {
        try (PjrtClient client = PjrtClient.create(plugin)) {
            var e = assertThrows(PjrtException.class, () -> client.compile(ADD, new CompileOptions(3, 1)));

            assertTrue(e.getMessage().contains("PJRT_Error_Code_INVALID_ARGUMENT (3): 3 replicas x 1 partitions need more than the 2 devices"), e.getMessage());
        }
    }

    @Test
    void aLaunchErrorIsThrownAndLeavesNothingBehind() {
        try (PjrtClient client = PjrtClient.create(plugin); PjrtExecutable add = client.compile(ADD)) {
            var e = assertThrows(PjrtException.class, () -> client.execute(add, List.of(HostArray.ofFloats(Shape.of(2, 3), new float[6]))));

            assertTrue(e.getMessage().startsWith("PJRT_LoadedExecutable_Execute failed with PJRT_Error_Code_INVALID_ARGUMENT (3): @main takes 2"
                    + " arguments, 1 given"), e.getMessage());
        }
    }

    @Test
    void anErrorCarriedByTheCompletionEventIsThrown() {
        try (PjrtClient client = PjrtClient.create(plugin); PjrtExecutable add = client.compile(ADD)) {
            fake.failNext("PJRT_LoadedExecutable_Execute:event", PjrtErrorCode.RESOURCE_EXHAUSTED, "device memory exhausted while running");
            HostArray input = HostArray.ofFloats(Shape.of(2, 3), new float[6]);

            var e = assertThrows(PjrtException.class, () -> client.execute(add, List.of(input, input)));

            assertEquals("PJRT_LoadedExecutable_Execute failed with PJRT_Error_Code_RESOURCE_EXHAUSTED (8): device memory exhausted while running"
                    + " (PJRT plugin " + fake.library() + ")", e.getMessage());
        }
    }

    @Test
    void anExecutionThatOutlivesTheEventTimeoutFailsInsteadOfHanging() {
        try (PjrtClient client = PjrtClient.create(plugin, Map.of(), Duration.ofMillis(50)); PjrtExecutable add = client.compile(ADD)) {
            fake.delayCompletions(2_000);
            HostArray input = HostArray.ofFloats(Shape.of(2, 3), new float[6]);

            var e = assertThrows(PjrtException.class, () -> client.execute(add, List.of(input, input)));

            assertEquals(Optional.of(PjrtErrorCode.DEADLINE_EXCEEDED), e.code());
            assertTrue(e.getMessage().startsWith("PJRT_LoadedExecutable_Execute did not complete within PT0.05S (PJRT plugin "), e.getMessage());
        }
        // The destroyed event is freed by the plugin's completion thread once it fires.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fake.liveObjects() != liveBefore && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    @Test
    void anInterruptedWaitFailsAndKeepsTheInterruptStatus() {
        try (PjrtClient client = PjrtClient.create(plugin); PjrtExecutable add = client.compile(ADD)) {
            fake.delayCompletions(2_000);
            HostArray input = HostArray.ofFloats(Shape.of(2, 3), new float[6]);
            Thread.currentThread().interrupt();
            try {
                var e = assertThrows(PjrtException.class, () -> client.execute(add, List.of(input, input)));

                assertEquals(Optional.of(PjrtErrorCode.CANCELLED), e.code());
                assertTrue(e.getMessage().startsWith("interrupted while waiting for PJRT_LoadedExecutable_Execute"), e.getMessage());
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fake.liveObjects() != liveBefore && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    @Test
    void injectedFailuresOfEachCallAreThrownWithTheirCodes() {
        try (PjrtClient client = PjrtClient.create(plugin)) {
            fake.failNext("PJRT_Client_BufferFromHostBuffer", PjrtErrorCode.RESOURCE_EXHAUSTED, "no room");
            var transfer = assertThrows(PjrtException.class, () -> client.toDevice(HostArray.ofInts(Shape.of(1), 1), client.devices().getFirst(),
                    HostBufferSemantics.IMMUTABLE_UNTIL_TRANSFER_COMPLETES));
            assertEquals(Optional.of(PjrtErrorCode.RESOURCE_EXHAUSTED), transfer.code());

            try (PjrtBuffer buffer = client.toDevice(HostArray.ofInts(Shape.of(1), 1), client.devices().getFirst(),
                    HostBufferSemantics.IMMUTABLE_ONLY_DURING_CALL)) {
                fake.failNext("PJRT_Buffer_ToHostBuffer", PjrtErrorCode.DATA_LOSS, "bits flipped");
                var copy = assertThrows(PjrtException.class, () -> client.toHost(buffer));
                assertTrue(copy.getMessage().startsWith("PJRT_Buffer_ToHostBuffer failed with PJRT_Error_Code_DATA_LOSS (15): bits flipped"), copy.getMessage());
            }

            fake.failNext("PJRT_Client_Compile", PjrtErrorCode.INTERNAL, "compiler crashed");
            var compile = assertThrows(PjrtException.class, () -> client.compile(ADD));
            assertEquals(Optional.of(PjrtErrorCode.INTERNAL), compile.code());
        }
    }

    @Test
    void closingTheClientClosesWhatItStillOwnsAndFurtherUseFails() {
        PjrtClient client = PjrtClient.create(plugin);
        PjrtExecutable add = client.compile(ADD);
        PjrtBuffer buffer = client.toDevice(HostArray.ofFloats(Shape.of(2), 1, 2), client.devices().getFirst(), HostBufferSemantics.IMMUTABLE_ZERO_COPY);

        client.close();

        assertThrows(AlreadyClosedException.class, client::devices);
        assertThrows(AlreadyClosedException.class, () -> client.toHost(buffer));
        assertThrows(AlreadyClosedException.class, () -> client.compile(ADD));
        add.close();
        client.close();
    }
}
