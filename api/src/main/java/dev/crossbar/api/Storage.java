package dev.crossbar.api;

import dev.crossbar.spi.Backend;
import dev.crossbar.spi.DeviceBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A device buffer shared by a tensor and its views; freed when the last of them closes. */
final class Storage {
    private final Backend backend;
    private final DeviceBuffer buffer;
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicLong deviceBytes;

    Storage(Backend backend, DeviceBuffer buffer) {
        this.backend = backend;
        this.buffer = buffer;
        this.deviceBytes = MemoryAccounting.bufferAllocated(buffer.device(), buffer.byteSize());
    }

    Backend backend() {
        return backend;
    }

    DeviceBuffer buffer() {
        return buffer;
    }

    Storage retain() {
        references.incrementAndGet();
        return this;
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            MemoryAccounting.bufferFreed(deviceBytes, buffer.byteSize());
            buffer.close();
        }
    }
}
