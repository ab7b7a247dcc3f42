package dev.crossbar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.Device;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.runtime.fixture.FakeBackend;
import dev.crossbar.runtime.fixture.FakeProvider;
import dev.crossbar.spi.memory.MemoryStats;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CrossbarTest {
    @Test
    void openSelectsTheHighestPriorityAvailableBackend() {
        try (Crossbar crossbar = Crossbar.open();
             TensorScope scope = crossbar.newScope()) {
            assertEquals("fake", crossbar.backendName());
            assertEquals(List.of(new Device("fake", 0), new Device("fake", 1)), crossbar.devices());
            assertEquals(new Device("fake", 0), crossbar.defaultDevice());
            assertEquals(new Device("fake", 0), scope.device());
            assertEquals(6, crossbar.backends().size());
        }
    }

    @Test
    void memoryAccountingFollowsTensorsOnTheirDevice() {
        try (Crossbar crossbar = Crossbar.builder().backend("cpu").build(); TensorScope scope = crossbar.newScope()) {
            Device device = crossbar.defaultDevice();
            long before = crossbar.memory().bytesByDevice().getOrDefault(device, 0L);
            long tensorsBefore = crossbar.memory().liveTensors();
            Tensor t = scope.zeros(dev.crossbar.api.DType.F32, 256, 4);
            try (Tensor view = t.reshape(1024)) {
                assertEquals(before + 4096, crossbar.memory().bytesByDevice().get(device), "a view shares its source's buffer");
                assertEquals(tensorsBefore + 2, crossbar.memory().liveTensors());
            }
            t.close();
            assertEquals(before, crossbar.memory().bytesByDevice().get(device));
            assertEquals(tensorsBefore, crossbar.memory().liveTensors());
        }
    }

    @Test
    void memoryShowsTheBackendsAllocatorReusingAFreedBlock() {
        try (Crossbar crossbar = Crossbar.builder().backend("cpu").build(); TensorScope scope = crossbar.newScope()) {
            MemoryStats before = crossbar.memory().allocator().orElseThrow(() -> new AssertionError("the cpu backend reports its pool"));
            Tensor first = scope.zeros(dev.crossbar.api.DType.F32, 256, 4);
            MemoryStats holding = crossbar.memory().allocator().orElseThrow();
            assertEquals(before.allocatedBytes() + 4096, holding.allocatedBytes());
            first.close();
            MemoryStats freed = crossbar.memory().allocator().orElseThrow();
            assertEquals(before.allocatedBytes(), freed.allocatedBytes());
            assertEquals(holding.cachedBytes() + 4096, freed.cachedBytes(), "the freed block stays cached");
            try (Tensor second = scope.zeros(dev.crossbar.api.DType.F32, 1024)) {
                MemoryStats reused = crossbar.memory().allocator().orElseThrow();
                assertEquals(freed.cacheHits() + 1, reused.cacheHits(), "the same size class reuses the cached block");
                assertEquals(freed.deviceAllocations(), reused.deviceAllocations());
            }
        }
    }

    @Test
    void closeClosesTheBackendAndLaterScopesFail() {
        Crossbar crossbar = Crossbar.open();
        FakeBackend backend = FakeProvider.CREATED.getLast();
        assertFalse(backend.isClosed());
        crossbar.close();
        assertTrue(backend.isClosed());
        assertThrows(AlreadyClosedException.class, crossbar::newScope);
    }

    @Test
    void builderSettingsReachTheBackend() {
        try (Crossbar crossbar = Crossbar.builder().property("crossbar.fake.mode", "fast").build()) {
            assertEquals(Optional.of("fast"), FakeProvider.CREATED.getLast().context().property("crossbar.fake.mode"));
            assertEquals("fake", crossbar.selected().name());
        }
    }

    @Test
    void doctorAndTheCreatedBackendSeeTheSameDevices() {
        List<Device> three = List.of(new Device("fake", 0), new Device("fake", 1), new Device("fake", 2));
        Diagnosis diagnosis = Crossbar.builder().property(FakeProvider.DEVICES_PROPERTY, "3").diagnose();
        assertEquals(three, diagnosis.selected().orElseThrow().availability().devices());
        try (Crossbar crossbar = Crossbar.builder().property(FakeProvider.DEVICES_PROPERTY, "3").build()) {
            assertEquals(three, crossbar.selected().availability().devices());
            assertEquals(three, crossbar.devices());
        }
    }

    @Test
    void explicitBackendRunsOps() {
        try (Crossbar crossbar = Crossbar.builder().backend("cpu").build();
             TensorScope scope = crossbar.newScope()) {
            assertEquals("cpu", crossbar.backendName());
            Tensor x = scope.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
            assertEquals(54.0, x.matmul(x).sum().item(), 1e-6);
        }
    }

    @Test
    void userModuleOverridesTheSelectionPolicy() {
        SelectionPolicy lowestPriority = (registry, configuration) -> registry.available().stream()
                .min(java.util.Comparator.comparingInt(DiscoveredBackend::priority)).orElseThrow();
        try (Crossbar crossbar = Crossbar.builder().module(binder -> binder.bind(SelectionPolicy.class).toInstance(lowestPriority)).build()) {
            assertEquals("cpu", crossbar.backendName());
        }
    }

    @Test
    void aPolicyThatPicksAnUnavailableBackendIsRefused() {
        SelectionPolicy broken = (registry, configuration) -> registry.find("missinglib").orElseThrow();
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Crossbar.builder().module(binder -> binder.bind(SelectionPolicy.class).toInstance(broken)).build());
        assertTrue(e.getMessage().startsWith("Backend 'missinglib' is not available: libfixture.so.1 not found"), e.getMessage());
    }

    @Test
    void diagnoseReportsASelectionFailureInsteadOfThrowing() {
        Diagnosis diagnosis = Crossbar.builder().backend("neuron").diagnose();
        assertEquals(Optional.empty(), diagnosis.selected());
        assertEquals(Optional.of("Backend 'neuron' not found; available: [cpu, fake]; add dev.crossbar:crossbar-backend-neuron to the classpath"
                + " (the name came from the builder's crossbar.backend)"), diagnosis.selectionFailure());
        assertEquals(6, diagnosis.backends().size());
    }

    @Test
    void guiceBytecodeGenerationIsOff() {
        Crossbar.builder().diagnose();
        assertEquals("DISABLED", System.getProperty("guice_bytecode_gen_option"));
    }
}
