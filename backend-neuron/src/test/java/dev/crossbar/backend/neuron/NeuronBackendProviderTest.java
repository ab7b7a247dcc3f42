package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.TensorScope;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Op;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeuronBackendProviderTest {
    private static final BackendContext NO_SETTINGS = new BackendContext(Map.of());

    @TempDir
    Path root;

    @Test
    void probeOnAMachineWithoutNeuronNamesAllThatIsMissing() {
        Availability availability = new NeuronBackendProvider(key -> null, root).probe(NO_SETTINGS);

        assertFalse(availability.available());
        assertEquals("Neuron PJRT plugin libneuronpjrt.so not found (looked in: " + root + "/opt/aws/neuron/lib, " + root
                + "/usr/lib/python3*/*/libneuronxla, " + root + "/usr/local/lib/python3*/*/libneuronxla); install the libneuronxla"
                + " Python package or set CROSSBAR_NEURON_PJRT_PLUGIN to the plugin's path; Neuron runtime libnrt.so.1 not found (looked in: "
                + root + "/opt/aws/neuron/lib); install aws-neuronx-runtime-lib; no " + root + "/dev/neuron* devices (the Neuron driver,"
                + " aws-neuronx-dkms, creates them on Trainium and Inferentia instances)", availability.reason());
    }

    @Test
    void probeOnThisMachine() {
        assumeTrue(!Files.exists(Path.of("/dev/neuron0")), "/dev/neuron0 exists: this is a Neuron machine");

        String reason = new NeuronBackendProvider().probe(NO_SETTINGS).reason();

        assertTrue(reason.contains("Neuron runtime libnrt.so.1 not found (looked in: /opt/aws/neuron/lib"), reason);
        assertTrue(reason.endsWith("no /dev/neuron* devices (the Neuron driver, aws-neuronx-dkms, creates them on Trainium and Inferentia instances)"), reason);
    }

    @Test
    void probeFindsThePluginInAPythonPackageAndHandsItToThePjrtLoader() throws IOException {
        Path plugin = touch(root.resolve("usr/lib/python3.11/site-packages/libneuronxla/libneuronpjrt.so"));
        touch(root.resolve("opt/aws/neuron/lib/libnrt.so.1"));
        touch(root.resolve("dev/neuron0"));

        String reason = new NeuronBackendProvider(key -> null, root).probe(NO_SETTINGS).reason();

        // The empty file stands in for the plugin: found by the search, then rejected by the dynamic loader.
        assertTrue(reason.startsWith("PJRT plugin " + plugin + " could not be loaded (Cannot open library: " + plugin + ")"), reason);
    }

    @Test
    void probeNamesAConfiguredPluginThatDoesNotExist() {
        var settings = new BackendContext(Map.of("crossbar.neuron.pjrt.plugin", "/nonexistent/libneuronpjrt.so"));

        String reason = new NeuronBackendProvider(key -> null, root).probe(settings).reason();

        assertTrue(reason.startsWith("Neuron PJRT plugin /nonexistent/libneuronpjrt.so (set by CROSSBAR_NEURON_PJRT_PLUGIN"
                + " or -Dcrossbar.neuron.pjrt.plugin) does not exist; Neuron runtime libnrt.so.1 not found"), reason);
    }

    @Test
    void probeOnAMachineWithNeuronLoadsThePluginAndReportsVersionsAndTopology() throws IOException {
        Path plugin = FakeNeuronPlugin.compile();
        neuronMachine("trn1.32xlarge\n");
        var settings = new BackendContext(Map.of("crossbar.neuron.pjrt.plugin", plugin.toString(), "crossbar.neuron.compile.cache",
                root.resolve("cache").toString()));

        Availability availability = new NeuronBackendProvider(Map.of("NEURON_RT_VISIBLE_CORES", "0-7")::get, root).probe(settings);

        assertTrue(availability.available(), availability.reason());
        assertEquals(List.of(new Device("neuron", 0)), availability.devices(), "programs run on the client's first NeuronCore");
        String executor = availability.versions().get("executor");
        assertTrue(executor.startsWith("Neuron PJRT plugin " + plugin + " (API 0.54) with Neuron runtime " + root
                + "/opt/aws/neuron/lib/libnrt.so.1 and devices [" + root + "/dev/neuron0, " + root + "/dev/neuron1]; crossbar-backend-neuron ")
                && executor.endsWith(" runs programs on the first NeuronCore of its client as neuron:0, compiled through the compile cache"), executor);
        assertEquals(Map.of("compile.cache", root.resolve("cache") + ": 0 entries (0.0 MB), 0 hits, 0 misses", "pjrt.api", "0.54", "xla", "2",
                "stablehlo", "1.9.3", "topology", "trn1.32xlarge: 16 Trainium chips, NEURON_LOGICAL_NC_CONFIG=1, 32 logical NeuronCores, visible cores 0-7",
                "program.rules", NeuronProgramRules.fromSettings(settings::property).describe(), "executor", executor), availability.versions());
    }

    @Test
    void createRunsProgramsThroughThePluginAndItsCompileCache() throws IOException {
        Path plugin = FakeNeuronPlugin.compile();
        neuronMachine("trn1.2xlarge");
        Path cacheFolder = root.resolve("cache");
        var settings = new BackendContext(Map.of("crossbar.neuron.pjrt.plugin", plugin.toString(), "crossbar.neuron.compile.cache", cacheFolder.toString()));
        var provider = new NeuronBackendProvider(Map.of("NEURON_CC_FLAGS", "-O1")::get, root);

        float[] first = addOnNewBackend(provider, settings);
        NeuronCompileCache.Stats afterFirst = new NeuronCompileCache(cacheFolder).stats();
        float[] second = addOnNewBackend(provider, settings);
        NeuronCompileCache.Stats afterSecond = new NeuronCompileCache(cacheFolder).stats();

        assertArrayEquals(new float[] {1.5f, -2, 13}, first, "the fake plugin added the two arguments of the lowered program");
        assertArrayEquals(first, second);
        assertEquals(new NeuronCompileCache.Stats(1, afterFirst.bytes(), 0, 1), afterFirst, "the first backend compiles and stores the program");
        assertEquals(new NeuronCompileCache.Stats(1, afterFirst.bytes(), 1, 1), afterSecond, "the second loads it from the cache");
        assertTrue(afterFirst.bytes() > 0, afterFirst::toString);
    }

    /** Creates a backend, adds two vectors on it and closes it. */
    private static float[] addOnNewBackend(NeuronBackendProvider provider, BackendContext settings) {
        try (NeuronBackend backend = (NeuronBackend) provider.create(settings); TensorScope scope = TensorScope.root(backend, backend.devices().getFirst())) {
            assertTrue(backend.engine().executor().platform().startsWith("fake (") && backend.engine().executor().platform().endsWith(
                    " under Neuron program rules"), backend.engine().executor().platform());
            float[] sum = scope.fromArray(new float[] {1, 2, 3}, 3).add(scope.fromArray(new float[] {0.5f, -4, 10}, 3)).toFloatArray();
            assertEquals(1, backend.engine().compilations());
            return sum;
        }
    }

    @Test
    void probeReportsNeuronCoreSettingsTheInstanceCannotHonour() throws IOException {
        Path plugin = FakeNeuronPlugin.compile();
        neuronMachine("trn1.2xlarge");
        var settings = new BackendContext(Map.of("crossbar.neuron.pjrt.plugin", plugin.toString()));

        String reason = new NeuronBackendProvider(Map.of("NEURON_LOGICAL_NC_CONFIG", "2")::get, root).probe(settings).reason();
        String unknown = new NeuronBackendProvider(key -> null, root)
                .probe(new BackendContext(Map.of("crossbar.neuron.pjrt.plugin", plugin.toString(), "crossbar.neuron.instance.type", "g5.xlarge")))
                .reason();

        assertEquals("NEURON_LOGICAL_NC_CONFIG=2 is not supported on trn1.2xlarge (Trainium): the logical NeuronCore configurations it accepts"
                + " are [1]", reason);
        assertTrue(unknown.startsWith("instance type 'g5.xlarge' is not one Crossbar knows the Neuron topology of; known: [trn1.2xlarge,"), unknown);
    }

    @Test
    void probeShowsTheCompileCacheCountsEvenWithoutNeuron() {
        NeuronCompileCache cache = new NeuronCompileCache(root.resolve("cache"));
        NeuronCompileCache.Key key = NeuronCompileCache.key(new byte[] {1}, new byte[0], "0.54", List.of());
        cache.get(key);
        cache.put(key, new byte[] {7});
        cache.get(key);
        cache.get(key);

        Availability availability = new NeuronBackendProvider(name -> null, root)
                .probe(new BackendContext(Map.of("crossbar.neuron.compile.cache", root.resolve("cache").toString())));

        assertEquals(root.resolve("cache") + ": 1 entries (0.0 MB), 2 hits, 1 misses", availability.versions().get("compile.cache"));
    }

    private void neuronMachine(String productName) throws IOException {
        touch(root.resolve("opt/aws/neuron/lib/libnrt.so.1"));
        touch(root.resolve("dev/neuron0"));
        touch(root.resolve("dev/neuron1"));
        Path product = root.resolve("sys/devices/virtual/dmi/id/product_name");
        Files.createDirectories(product.getParent());
        Files.writeString(product, productName);
    }

    @Test
    void describesItselfWithoutADevice() {
        var provider = new NeuronBackendProvider();

        assertEquals("neuron", provider.name());
        assertEquals(BackendProvider.SPI_VERSION, provider.spiVersion());
        assertEquals(80, provider.priority());
        assertEquals(ExecutionMode.LAZY_GRAPH, provider.capabilities().mode());
        assertTrue(provider.capabilities().supports(Op.DOT_GENERAL, DType.BF16));
        assertTrue(provider.capabilities().supports(Op.GATHER, DType.I64));
        var types = provider.capabilities().cells().stream().map(Cell::dtype).collect(Collectors.toCollection(() -> EnumSet.noneOf(DType.class)));
        assertEquals(EnumSet.of(DType.F32, DType.F16, DType.BF16, DType.I8, DType.I32, DType.I64, DType.BOOL), types,
                "F64 is not a Neuron type, nor FP8 (Neuron's compilers refuse F8E4M3FN on Trn1/Trn2)");
        assertTrue(provider.capabilities().supports(Op.CAST, DType.I8), "8-bit data converts");
        assertFalse(provider.capabilities().supports(Op.ADD, DType.I8), "but is not computed on");
    }

    @Test
    void createWithoutADeviceOrTheVerificationExecutorGivesTheProbesReason() {
        var e = assertThrows(CrossbarException.class, () -> new NeuronBackendProvider(key -> null, root).create(NO_SETTINGS));

        assertTrue(e.getMessage().startsWith("Backend 'neuron' cannot be created: Neuron PJRT plugin libneuronpjrt.so not found"), e.getMessage());
    }

    @Test
    void verificationExecutorSettingsAreChecked() {
        var provider = new NeuronBackendProvider(key -> null, root);

        assertEquals("unknown crossbar.neuron.executor 'cuda'; the only executor besides the Neuron PJRT plugin is 'tensorflow'",
                provider.probe(new BackendContext(Map.of("crossbar.neuron.executor", "cuda"))).reason());
        assertEquals("crossbar.neuron.compute.type=f8 is not a type; use bf16 (the default), f16 or f32", provider.probe(new BackendContext(
                Map.of("crossbar.neuron.executor", "tensorflow", "crossbar.neuron.compute.type", "f8"))).reason());
        assertEquals("compute type I32 is not one Neuron computes in; use BF16 (the default), F16 or F32", provider.probe(new BackendContext(
                Map.of("crossbar.neuron.executor", "tensorflow", "crossbar.neuron.compute.type", "i32"))).reason());
        assertEquals("crossbar.neuron.f64=allow is not a policy; use reject (the default) or cast-to-f32", provider.probe(new BackendContext(
                Map.of("crossbar.neuron.executor", "tensorflow", "crossbar.neuron.f64", "allow"))).reason());
        assertEquals("crossbar.neuron.devices must be a positive integer, got '0'", provider.probe(new BackendContext(
                Map.of("crossbar.neuron.executor", "tensorflow", "crossbar.neuron.devices", "0"))).reason());
    }

    private static Path touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.createFile(file);
    }
}
