package dev.crossbar.backend.xla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.Device;
import dev.crossbar.api.TensorScope;
import dev.crossbar.backend.cpu.CpuBackendProvider;
import dev.crossbar.backend.xla.executor.PjrtExecutor;
import dev.crossbar.backend.xla.executor.SpmdEmulationExecutor;
import dev.crossbar.backend.xla.internal.ffi.FakePjrtPlugin;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.ExecutionMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XlaBackendProviderTest {
    private static final Path BUILD = Path.of("target/fake-pjrt").toAbsolutePath();

    @Test
    void probeWithoutAPluginSaysWhatToSet() {
        Availability availability = probeWith(null);

        assertFalse(availability.available());
        assertEquals("no PJRT plugin configured: set CROSSBAR_PJRT_PLUGIN (or -Dcrossbar.pjrt.plugin) to the path of a PJRT plugin"
                + " (e.g. .../pjrt_c_api_cpu_plugin.so); verification executor present (XLA:CPU through TensorFlow Java 1.1.0 XlaCallModule;"
                + " select it with -Dcrossbar.xla.executor=tensorflow)", availability.reason());
        assertEquals(Map.of("tensorflow-java", "1.1.0"), availability.versions());
    }

    @Test
    void probeNamesAPluginPathThatDoesNotExist() {
        Availability availability = probeWith("/nonexistent/pjrt_c_api_cpu_plugin.so");

        assertTrue(availability.reason().startsWith("PJRT plugin /nonexistent/pjrt_c_api_cpu_plugin.so does not exist; verification executor present"),
                availability.reason());
    }

    @Test
    void settingIsAPathOrNamePathPairsOfWhichTheFirstIsUsed() {
        assertEquals(Path.of("/opt/pjrt/cpu.so"), XlaBackendProvider.firstPluginPath("/opt/pjrt/cpu.so"));
        assertEquals(Path.of("/opt/pjrt/cpu.so"), XlaBackendProvider.firstPluginPath("cpu:/opt/pjrt/cpu.so, tpu:/opt/pjrt/tpu.so"));
        assertEquals(Path.of("./dir:with:colons/cpu.so"), XlaBackendProvider.firstPluginPath("./dir:with:colons/cpu.so"));
        var e = assertThrows(IllegalArgumentException.class, () -> XlaBackendProvider.firstPluginPath("cpu:,tpu:/opt/tpu.so"));
        assertTrue(e.getMessage().startsWith("the PJRT plugin setting 'cpu:,tpu:/opt/tpu.so' (CROSSBAR_PJRT_PLUGIN"), e.getMessage());
    }

    @Test
    void aLoadablePluginMakesTheBackendAvailableOnItsFirstDevice() {
        Path plugin = FakePjrtPlugin.compile("fake_pjrt_plugin.so").library();

        Availability availability = probeWith("cpu:" + plugin);

        assertTrue(availability.available(), availability.reason());
        assertEquals(List.of(new Device("xla", 0)), availability.devices());
        String executor = availability.versions().get("executor");
        assertTrue(executor.startsWith("PJRT plugin " + plugin + " (API 0.54) loaded and initialized; crossbar-backend-xla ")
                && executor.endsWith(" runs programs on the first device of its client as xla:0"), executor);
        assertEquals(Map.of("pjrt.api", "0.54", "xla", "2", "stablehlo", "1.9.3", "tensorflow-java", "1.1.0", "executor", executor), availability.versions());
    }

    @Test
    void createRunsProgramsThroughThePluginWhenOneLoads() {
        Path plugin = FakePjrtPlugin.compile("fake_pjrt_plugin.so").library();
        BackendContext context = new BackendContext(Map.of("crossbar.pjrt.plugin", plugin.toString()));

        try (XlaBackend backend = (XlaBackend) new XlaBackendProvider().create(context);
                TensorScope scope = TensorScope.root(backend, backend.devices().getFirst())) {
            assertTrue(backend.engine().executor() instanceof PjrtExecutor, backend.engine().executor().platform());
            float[] sum = scope.fromArray(new float[] {1, 2, 3}, 3).add(scope.fromArray(new float[] {0.5f, -4, 10}, 3)).toFloatArray();

            assertArrayEquals(new float[] {1.5f, -2, 13}, sum, "the fake plugin added the two arguments of the lowered program");
            assertEquals(1, backend.engine().compilations());
        }
    }

    @Test
    void theVerificationExecutorWinsWhenAskedForEvenWithAPlugin() {
        Path plugin = FakePjrtPlugin.compile("fake_pjrt_plugin.so").library();
        BackendContext context = new BackendContext(Map.of("crossbar.pjrt.plugin", plugin.toString(), "crossbar.xla.executor", "tensorflow"));
        assumeTrue(new XlaBackendProvider().probe(context).available(), "UNAVAILABLE: TensorFlow Java does not load here");

        try (XlaBackend backend = (XlaBackend) new XlaBackendProvider().create(context)) {
            assertTrue(backend.engine().executor() instanceof SpmdEmulationExecutor && backend.engine().executor().platform().startsWith("XLA:CPU through TensorFlow Java"),
                    backend.engine().executor().platform());
        }
    }

    @Test
    void withNeitherExecutorCreateFailsNamingBoth() {
        var e = assertThrows(XlaExecutorUnavailableException.class, () -> new XlaBackendProvider().create(new BackendContext(Map.of())));

        assertEquals("Backend 'xla' cannot be created: no PJRT plugin configured: set CROSSBAR_PJRT_PLUGIN (or -Dcrossbar.pjrt.plugin) to the path of a"
                + " PJRT plugin (e.g. .../pjrt_c_api_cpu_plugin.so); " + VERIFICATION, e.getMessage());
        var broken = assertThrows(XlaExecutorUnavailableException.class,
                () -> new XlaBackendProvider().create(new BackendContext(Map.of("crossbar.pjrt.plugin", "/nonexistent/pjrt.so"))));
        assertTrue(broken.getMessage().contains("/nonexistent/pjrt.so does not exist; " + VERIFICATION), broken.getMessage());
    }

    @Test
    void probeReportsAVersionMismatch() {
        Path plugin = FakePjrtPlugin.build("major_2_pjrt_plugin.so", "-DFAKE_PJRT_MAJOR=2");

        String reason = probeWith(plugin.toString()).reason();

        assertTrue(reason.startsWith("PJRT plugin " + plugin + " implements PJRT C API 2.54, but Crossbar's PJRT client needs 0.33"), reason);
    }

    @Test
    void probeReportsAPluginWhoseGetPjrtApiReturnsNull() {
        Path plugin = FakePjrtPlugin.build("null_pjrt_plugin.so", "-DFAKE_PJRT_RETURNS_NULL");

        Availability availability = probeWith(plugin.toString());

        assertEquals("GetPjrtApi of PJRT plugin " + plugin + " returned NULL; the plugin failed to initialize (its own log may say why); " + VERIFICATION,
                availability.reason());
        assertEquals(Map.of("tensorflow-java", "1.1.0"), availability.versions());
    }

    @Test
    void probeReportsASharedLibraryThatIsNotAPlugin() {
        Path library = FakePjrtPlugin.build("not_a_pjrt_plugin.so", "-DFAKE_PJRT_WITHOUT_ENTRY_POINT");

        assertEquals(library + " does not export GetPjrtApi, so it is not a PJRT plugin; " + VERIFICATION, probeWith(library.toString()).reason());
    }

    @Test
    void probeReportsAFileTheLoaderRejects() throws IOException {
        Files.createDirectories(BUILD);
        Path text = Files.writeString(BUILD.resolve("text_file.so"), "not a shared library", StandardCharsets.UTF_8);

        String reason = probeWith(text.toString()).reason();

        assertTrue(reason.startsWith("PJRT plugin " + text + " could not be loaded (Cannot open library: " + text + ")"), reason);
    }

    @Test
    void describesItselfWithoutADevice() {
        var provider = new XlaBackendProvider();

        assertEquals("xla", provider.name());
        assertEquals(BackendProvider.SPI_VERSION, provider.spiVersion());
        assertEquals(70, provider.priority());
        assertEquals(ExecutionMode.LAZY_GRAPH, provider.capabilities().mode());
        assertEquals(new CpuBackendProvider().capabilities().cells(), provider.capabilities().cells(), "xla declares every cell the reference backend does");
    }

    @Test
    void theVerificationExecutorIsUsedOnlyWhenSelected() {
        var provider = new XlaBackendProvider();

        try (XlaBackend selected = VerificationBackend.create()) {
            assertEquals(List.of(new Device("xla", 0)), selected.devices());
        }
        Availability selected = provider.probe(VerificationBackend.CONTEXT);
        assertEquals("1.1.0", selected.versions().get("tensorflow-java"));
        assertTrue(selected.versions().get("tensorflow").matches("\\d+\\.\\d+\\.\\d+.*"), "TensorFlow core version: " + selected.versions());
        Availability two = provider.probe(new BackendContext(Map.of("crossbar.xla.executor", "tensorflow", "crossbar.xla.devices", "2")));
        assertEquals(List.of(new Device("xla", 0), new Device("xla", 1)), two.devices());
        Availability badCount = provider.probe(new BackendContext(Map.of("crossbar.xla.executor", "tensorflow", "crossbar.xla.devices", "0")));
        assertEquals("crossbar.xla.devices must be a positive integer, got '0'", badCount.reason());
        Availability unknown = provider.probe(new BackendContext(Map.of("crossbar.xla.executor", "tpu")));
        assertEquals("unknown crossbar.xla.executor 'tpu'; the only executor besides a PJRT plugin is 'tensorflow'", unknown.reason());
    }

    private static final String VERIFICATION =
            "verification executor present (XLA:CPU through TensorFlow Java 1.1.0 XlaCallModule; select it with -Dcrossbar.xla.executor=tensorflow)";

    private static Availability probeWith(String pluginSetting) {
        Map<String, String> settings = pluginSetting == null ? Map.of() : Map.of("crossbar.pjrt.plugin", pluginSetting);
        return new XlaBackendProvider().probe(new BackendContext(settings));
    }
}
