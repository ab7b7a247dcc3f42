package dev.crossbar.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossbar.conformance.BackendFixture;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Memory and copies on a real CUDA device, across devices when there are two; aborted with the probe's reason where there is none. */
class CudaDeviceTest extends BackendFixture {
    @Override
    protected BackendProvider provider() {
        return new CudaBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return CudaTestDevice.context();
    }

    @Test
    void bytesSurviveARoundTripThroughEveryDevice() {
        try (Arena arena = Arena.ofConfined()) {
            long[] values = new long[1000];
            for (int i = 0; i < values.length; i++) {
                values[i] = i * 0x9E3779B97F4A7C15L;
            }
            MemorySegment source = arena.allocateFrom(ValueLayout.JAVA_LONG, values);
            DeviceBuffer previous = backend().allocate(backend().devices().getFirst(), source.byteSize());
            backend().copyFromHost(source, previous, 0);
            for (var device : backend().devices()) {
                DeviceBuffer next = backend().allocate(device, source.byteSize());
                backend().copy(previous, 0, next, 0, source.byteSize());
                previous.close();
                previous = next;
            }
            MemorySegment back = arena.allocate(source.byteSize());
            backend().copyToHost(previous, 0, back);
            previous.close();

            assertArrayEquals(values, back.toArray(ValueLayout.JAVA_LONG));
        }
    }

    @Test
    void offsetsSelectTheBytesCopied() {
        try (Arena arena = Arena.ofConfined(); DeviceBuffer buffer = backend().allocate(backend().devices().getFirst(), 16)) {
            backend().copyFromHost(arena.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3, 4), buffer, 0);
            backend().copyFromHost(arena.allocateFrom(ValueLayout.JAVA_INT, 9), buffer, 8);
            MemorySegment back = arena.allocate(8);
            backend().copyToHost(buffer, 4, back);

            assertEquals(2, back.get(ValueLayout.JAVA_INT, 0));
            assertEquals(9, back.get(ValueLayout.JAVA_INT, 4));
        }
    }
}
