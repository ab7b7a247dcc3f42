package dev.crossbar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.Device;
import dev.crossbar.runtime.fixture.FakeProvider;
import dev.crossbar.runtime.fixture.MissingLibraryProvider;
import dev.crossbar.runtime.fixture.ThrowingConstructorProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Discovery records every plugin, broken or not, with its reason, and keeps the others. */
class BackendRegistryTest {
    private final BackendRegistry registry = new BackendRegistry(new RuntimeConfiguration(Map.of(), Map.of(), Map.of()));

    private DiscoveredBackend backend(String name) {
        return registry.find(name).orElseThrow(() -> new AssertionError(name + " not discovered; found " + registry.backends()));
    }

    @Test
    void findsEveryPluginSortedByName() {
        assertEquals(List.of("badprobe", "cpu", ThrowingConstructorProvider.class.getName(), "fake", "future", "missinglib"),
                registry.backends().stream().map(DiscoveredBackend::name).toList());
    }

    @Test
    void healthyPluginsAreAvailable() {
        assertEquals(List.of("cpu", "fake"), registry.available().stream().map(DiscoveredBackend::name).toList());
        DiscoveredBackend fake = backend(FakeProvider.NAME);
        assertEquals(BackendStatus.AVAILABLE, fake.status());
        assertEquals("", fake.reason());
        assertEquals(List.of(new Device("fake", 0), new Device("fake", 1)), fake.availability().devices());
        assertEquals(Map.of("fake-driver", "9.9"), fake.availability().versions());
        assertEquals(1, fake.declaredCells());
        assertEquals(FakeProvider.PRIORITY, fake.priority());
        assertEquals(0, backend("cpu").priority());
    }

    @Test
    void probesSeeTheMergedSettingsThatCreateWillGet() {
        BackendRegistry configured = new BackendRegistry(new RuntimeConfiguration(
                Map.of(FakeProvider.DEVICES_PROPERTY, "3"), Map.of("crossbar.cpu.devices", "2"), Map.of("CROSSBAR_CPU_DEVICES", "5")));
        assertEquals(Map.of(FakeProvider.DEVICES_PROPERTY, "3", "crossbar.cpu.devices", "2"), configured.context().properties());
        assertEquals(List.of(new Device("fake", 0), new Device("fake", 1), new Device("fake", 2)),
                configured.find(FakeProvider.NAME).orElseThrow().availability().devices());
        assertEquals(List.of(new Device("cpu", 0), new Device("cpu", 1)), configured.find("cpu").orElseThrow().availability().devices());
    }

    @Test
    void missingNativeLibraryIsUnavailableWithTheProbesReason() {
        DiscoveredBackend b = backend("missinglib");
        assertEquals(BackendStatus.UNAVAILABLE, b.status());
        assertEquals(MissingLibraryProvider.REASON, b.reason());
        assertEquals(Map.of("fixture-runtime", "1.2.3"), b.availability().versions());
        assertTrue(b.provider().isPresent(), "an unavailable plugin still has its provider, for the matrix");
        assertTrue(b.capabilities().isPresent());
    }

    @Test
    void incompatibleSpiVersionNamesBothVersionsAndIsNotProbed() {
        DiscoveredBackend b = backend("future");
        assertEquals(BackendStatus.INCOMPATIBLE_SPI, b.status());
        assertTrue(b.reason().contains("implements SPI version 2 but this Crossbar runtime implements SPI version 1"), b.reason());
        assertTrue(b.reason().contains("use a build of the 'future' plugin made for SPI version 1"), b.reason());
        assertTrue(b.provider().isEmpty());
    }

    @Test
    void throwingProbeIsBrokenWithItsError() {
        DiscoveredBackend b = backend("badprobe");
        assertEquals(BackendStatus.BROKEN, b.status());
        assertTrue(b.reason().contains("UnsatisfiedLinkError: fixture probe failed on purpose: libbad.so"), b.reason());
        assertTrue(b.reason().contains("must not throw"), b.reason());
        assertTrue(b.provider().isEmpty());
    }

    @Test
    void throwingConstructorIsBrokenUnderItsClassName() {
        DiscoveredBackend b = backend(ThrowingConstructorProvider.class.getName());
        assertEquals(BackendStatus.BROKEN, b.status());
        assertTrue(b.reason().contains("could not be created: java.lang.IllegalStateException: fixture constructor failed on purpose"), b.reason());
        assertTrue(b.reason().contains("fix or remove its jar"), b.reason());
    }
}
