package dev.crossbar.backend.xla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.cpu.CpuBackendProvider;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.ExecutionMode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class XlaBackendProviderTest {
    private static final Path FAKE_PLUGIN_SOURCE = Path.of("src/test/c/fake_pjrt_plugin.c");
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
    void probeReadsTheApiVersionOfAPlugin() throws Exception {
        Path plugin = compileFakePlugin("fake_pjrt_plugin.so");

        Availability availability = probeWith("cpu:" + plugin);

        assertFalse(availability.available(), "no client is created, so no device may be claimed");
        assertEquals(Map.of("pjrt.api", "0.54", "tensorflow-java", "1.1.0"), availability.versions());
        assertTrue(availability.reason().startsWith("PJRT plugin " + plugin + " (API 0.54) loaded; crossbar-backend-xla "), availability.reason());
        assertTrue(availability.reason().contains(" does not create PJRT clients yet, so it lists no PJRT devices; verification executor present"),
                availability.reason());
    }

    @Test
    void probeReportsAPluginWhoseGetPjrtApiReturnsNull() throws Exception {
        Path plugin = compileFakePlugin("null_pjrt_plugin.so", "-DFAKE_PJRT_RETURNS_NULL");

        Availability availability = probeWith(plugin.toString());

        assertEquals("GetPjrtApi of PJRT plugin " + plugin + " returned NULL; the plugin failed to initialize (its own log may say why); " + VERIFICATION,
                availability.reason());
        assertEquals(Map.of("tensorflow-java", "1.1.0"), availability.versions());
    }

    @Test
    void probeReportsASharedLibraryThatIsNotAPlugin() throws Exception {
        Path library = compileFakePlugin("not_a_pjrt_plugin.so", "-DFAKE_PJRT_WITHOUT_ENTRY_POINT");

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

        var e = assertThrows(CrossbarException.class, () -> provider.create(new BackendContext(Map.of())));
        assertTrue(e.getMessage().startsWith("Backend 'xla' cannot be created: no PJRT plugin configured"), e.getMessage());
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

    private static Path compileFakePlugin(String fileName, String... defines) throws IOException, InterruptedException {
        assumeTrue(Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "gcc"))), "gcc is not on PATH; it compiles the fake PJRT plugin");
        Files.createDirectories(BUILD);
        Path output = BUILD.resolve(fileName);
        List<String> command = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-o", output.toString()));
        command.addAll(List.of(defines));
        command.add(FAKE_PLUGIN_SOURCE.toString());
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), () -> String.join(" ", command) + " failed:\n" + log);
        return output;
    }
}
