package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.ExecutionMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

        assertFalse(availability.available(), "no client is created, so no device may be claimed");
        assertTrue(availability.reason().startsWith("Neuron PJRT plugin " + plugin + " (API 0.54) loaded, Neuron runtime " + root
                + "/opt/aws/neuron/lib/libnrt.so.1 and devices [" + root + "/dev/neuron0, " + root + "/dev/neuron1] found, topology trn1.32xlarge:"
                + " 16 Trainium chips, NEURON_LOGICAL_NC_CONFIG=1, 32 logical NeuronCores, visible cores 0-7; crossbar-backend-neuron "),
                availability.reason());
        assertEquals(Map.of("compile.cache", root.resolve("cache") + ": 0 entries (0.0 MB), 0 hits, 0 misses", "pjrt.api", "0.54", "xla", "2",
                "stablehlo", "1.9.3"), availability.versions());
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
        assertTrue(provider.capabilities().cells().isEmpty());
    }

    @Test
    void createSaysTheBackendHasNoKernelsYet() {
        var e = assertThrows(CrossbarException.class, () -> new NeuronBackendProvider().create(NO_SETTINGS));

        assertTrue(e.getMessage().startsWith("Backend 'neuron' declares no kernels in crossbar-backend-neuron "), e.getMessage());
    }

    private static Path touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.createFile(file);
    }
}
