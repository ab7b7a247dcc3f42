package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.backend.cpu.kernel.CpuKernels;
import dev.crossbar.backend.cpu.kernel.MatmulPath;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.OpSet;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The provider's identity, probe, registration, capabilities and virtual-device configuration. */
class CpuBackendProviderTest {
    private final CpuBackendProvider provider = new CpuBackendProvider();

    @Test
    void identifiesAsTheLowestPriorityCpuBackend() {
        assertEquals("cpu", provider.name());
        assertEquals(BackendProvider.SPI_VERSION, provider.spiVersion());
        assertEquals(0, provider.priority());
    }

    @Test
    void probeIsAvailableWithVersions() {
        Availability availability = provider.probe(new BackendContext(Map.of()));
        assertTrue(availability.available(), availability.reason());
        assertEquals(List.of(new Device("cpu", 0)), availability.devices());
        assertEquals(System.getProperty("java.vm.version"), availability.versions().get("java.vm.version"));
    }

    @Test
    void probeReadsTheDeviceCountFromTheContextAndNeverThrows() {
        BackendContext three = new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "3"));
        assertEquals(List.of(new Device("cpu", 0), new Device("cpu", 1), new Device("cpu", 2)), provider.probe(three).devices());
        try (Backend backend = provider.create(three)) {
            assertEquals(provider.probe(three).devices(), backend.devices());
        }
        Availability broken = provider.probe(new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "many")));
        assertFalse(broken.available());
        assertTrue(broken.reason().contains("'many'"), broken.reason());
    }

    @Test
    void virtualDevicesComeFromTheContext() {
        try (Backend backend = provider.create(new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "4")))) {
            assertEquals(4, backend.devices().size());
            assertEquals(new Device("cpu", 3), backend.devices().get(3));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-2", "two", "1.5", ""})
    void invalidDeviceCountsAreRejectedWithTheValueAndTheFix(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.create(new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, value))));
        assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dcrossbar.cpu.devices="), e.getMessage());
    }

    @Test
    void everyOpOfTheCurrentOpSetHasAKernelForEveryAdmittedType() {
        Capabilities capabilities = provider.capabilities();
        assertEquals(ExecutionMode.EAGER, capabilities.mode());
        try (Backend backend = provider.create(new BackendContext(Map.of()))) {
            for (Op op : OpSet.current().ops()) {
                for (DType dtype : op.admitted()) {
                    assertTrue(capabilities.supports(op, dtype), op.opName() + "/" + dtype);
                    assertTrue(op.kernelType().isInstance(backend.kernels().get(op, dtype, op.kernelType())));
                }
            }
            assertEquals(capabilities, backend.kernels().capabilities());
        }
    }

    @Test
    void kernelInstancesFollowTheClassList() {
        assertEquals(CpuKernels.CLASSES, CpuKernels.instantiate(MatmulPath.AUTO).stream().map(Object::getClass).toList());
    }

    @Test
    void isRegisteredForTheModulePathAndTheClasspath() throws IOException {
        String service = BackendProvider.class.getName();
        try (InputStream in = CpuBackendProvider.class.getClassLoader().getResourceAsStream("META-INF/services/" + service)) {
            assertEquals(CpuBackendProvider.class.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
        }
        ModuleDescriptor descriptor = CpuBackendProvider.class.getModule().getDescriptor();
        if (descriptor != null) {
            ModuleDescriptor.Provides provides = descriptor.provides().stream().filter(p -> p.service().equals(service)).findFirst().orElseThrow();
            assertEquals(List.of(CpuBackendProvider.class.getName()), provides.providers());
            assertTrue(descriptor.exports().isEmpty(), "the cpu backend exports nothing: " + descriptor.exports());
        }
        assertSame(CpuBackendProvider.class, provider.getClass());
    }
}
