package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.memory.MemoryStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Allocation, copies, host-memory wrapping and virtual devices. */
class CpuBackendMemoryTest {
    private static Backend backend(int devices) {
        return new CpuBackendProvider().create(new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, Integer.toString(devices))));
    }

    @Test
    void zeroSizeAllocationsWork() {
        try (Backend backend = backend(1); DeviceBuffer empty = backend.allocate(backend.devices().getFirst(), 0)) {
            assertEquals(0, empty.byteSize());
            backend.copyFromHost(MemorySegment.ofArray(new float[0]), empty, 0);
            try (TensorScope scope = TensorScope.root(backend, backend.devices().getFirst())) {
                Tensor t = scope.zeros(DType.F32, 0, 3);
                assertArrayEquals(new float[] {0, 0, 0}, t.sum(0).toFloatArray());
                assertEquals(0, t.sum(1).size());
            }
        }
    }

    @Test
    void thePoolReportsAllocatedCachedPeakAndHits() {
        try (Backend backend = backend(2)) {
            assertEquals(new MemoryStats(0, 0, 0, 0, 0, 0, 0), backend.memoryStats().orElseThrow());
            DeviceBuffer a = backend.allocate(backend.devices().get(0), 100);
            DeviceBuffer b = backend.allocate(backend.devices().get(1), 1000);
            // Power-of-two classes of at least 64 bytes: 100 -> 128, 1000 -> 1024.
            assertEquals(new MemoryStats(128 + 1024, 0, 128 + 1024, 2, 0, 2, 0), backend.memoryStats().orElseThrow());
            a.close();
            assertEquals(new MemoryStats(1024, 128, 128 + 1024, 2, 0, 2, 0), backend.memoryStats().orElseThrow());
            DeviceBuffer c = backend.allocate(backend.devices().get(1), 65);
            assertEquals(new MemoryStats(128 + 1024, 0, 128 + 1024, 3, 1, 2, 0), backend.memoryStats().orElseThrow(), "65 bytes reuse the 128-byte block");
            b.close();
            c.close();
            assertEquals(new MemoryStats(0, 128 + 1024, 128 + 1024, 3, 1, 2, 0), backend.memoryStats().orElseThrow());
        }
    }

    @Test
    void copiesRoundTripThroughHostAndBetweenBuffers() {
        try (Backend backend = backend(2);
                DeviceBuffer a = backend.allocate(backend.devices().get(0), 16);
                DeviceBuffer b = backend.allocate(backend.devices().get(1), 16)) {
            backend.copyFromHost(MemorySegment.ofArray(new int[] {1, 2, 3, 4}), a, 0);
            backend.copy(a, 4, b, 0, 12);
            int[] out = new int[3];
            backend.copyToHost(b, 0, MemorySegment.ofArray(out));
            assertArrayEquals(new int[] {2, 3, 4}, out);
            assertEquals(new Device("cpu", 1), b.device());
        }
    }

    @Test
    void closedBuffersRefuseUse() {
        try (Backend backend = backend(1)) {
            DeviceBuffer buffer = backend.allocate(backend.devices().getFirst(), 8);
            buffer.close();
            assertThrows(AlreadyClosedException.class, buffer::hostSegment);
            assertThrows(AlreadyClosedException.class, () -> backend.copyFromHost(MemorySegment.ofArray(new byte[8]), buffer, 0));
        }
    }

    @Test
    void allocatingOnAForeignDeviceNamesTheDevicesThatExist() {
        try (Backend backend = backend(2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.allocate(new Device("cpu", 2), 4));
            assertTrue(e.getMessage().contains("[cpu:0, cpu:1]"), e.getMessage());
        }
    }

    @Test
    void wrappedHostMemoryIsSharedNotCopiedAndNotFreed() {
        try (Backend backend = backend(1); Arena arena = Arena.ofConfined(); TensorScope scope = TensorScope.root(backend, backend.devices().getFirst())) {
            MemorySegment memory = arena.allocate(ValueLayout.JAVA_FLOAT, 4);
            Tensor t = scope.fromSegment(memory, DType.F32, Shape.of(2, 2));
            memory.setAtIndex(ValueLayout.JAVA_FLOAT, 3, 42f);
            assertArrayEquals(new float[] {0, 0, 0, 42f}, t.toFloatArray());
            assertEquals(memory.address(), t.asSegment().address());
            t.close();
            memory.setAtIndex(ValueLayout.JAVA_FLOAT, 0, 7f); // still owned by the arena, not freed with the tensor
            assertEquals(7f, memory.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        }
    }

    @Test
    void heapMemoryIsCopiedRatherThanWrapped() {
        try (Backend backend = backend(1)) {
            assertTrue(backend.wrapHostMemory(backend.devices().getFirst(), MemorySegment.ofArray(new float[4])).isEmpty());
        }
    }

    @Test
    void tensorsMoveBetweenVirtualDevices() {
        try (Backend backend = backend(3); TensorScope scope = TensorScope.root(backend, backend.devices().get(2))) {
            Tensor t = scope.fromArray(new float[] {1, 2, 3}, 3);
            assertEquals(new Device("cpu", 2), t.device());
            Tensor moved = t.to(new Device("cpu", 1));
            assertEquals(new Device("cpu", 1), moved.device());
            assertArrayEquals(new float[] {1, 2, 3}, moved.toFloatArray());
        }
    }
}
