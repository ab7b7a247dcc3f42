package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossbar.spi.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The memory part of the SPI on the backend under test, without kernels: host to device, device to device through
 * every device in turn (across devices when there are several), device to host, offsets, and ranges that do not fit.
 * A backend's test folder extends it and names its provider, as for the other suites.
 */
public abstract class DeviceMemorySuite extends BackendFixture {
    /** 1000 distinct longs go through every device and come back unchanged. */
    @Test
    public final void bytesSurviveARoundTripThroughEveryDevice() {
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

    /** Offsets select the bytes written and read. */
    @Test
    public final void offsetsSelectTheBytesCopied() {
        try (Arena arena = Arena.ofConfined(); DeviceBuffer buffer = backend().allocate(backend().devices().getFirst(), 16)) {
            backend().copyFromHost(arena.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3, 4), buffer, 0);
            backend().copyFromHost(arena.allocateFrom(ValueLayout.JAVA_INT, 9), buffer, 8);
            MemorySegment back = arena.allocate(8);
            backend().copyToHost(buffer, 4, back);

            assertEquals(2, back.get(ValueLayout.JAVA_INT, 0));
            assertEquals(9, back.get(ValueLayout.JAVA_INT, 4));
        }
    }

    /** A copy that does not fit its buffer fails with {@link IndexOutOfBoundsException}. */
    @Test
    public final void rangesOutsideTheBufferAreRefused() {
        try (Arena arena = Arena.ofConfined(); DeviceBuffer buffer = backend().allocate(backend().devices().getFirst(), 16)) {
            assertThrows(IndexOutOfBoundsException.class, () -> backend().copyFromHost(arena.allocate(12), buffer, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> backend().copyToHost(buffer, -1, arena.allocate(4)));
            assertThrows(IndexOutOfBoundsException.class, () -> backend().copy(buffer, 0, buffer, 4, 16));
        }
    }
}
