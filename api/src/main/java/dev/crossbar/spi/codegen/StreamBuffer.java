package dev.crossbar.spi.codegen;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.Device;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.memory.CachingAllocator;

/** Device memory from a {@link StreamDevice}'s caching allocator; closing it returns the block to the cache. */
public final class StreamBuffer implements DeviceBuffer {
    private final StreamDevice owner;
    private final CachingAllocator.Block block;
    private final long byteSize;
    private boolean closed;

    /**
     * Allocates a buffer on a device.
     *
     * @param owner the device
     * @param byteSize the size, at least 0
     */
    public StreamBuffer(StreamDevice owner, long byteSize) {
        this.owner = owner;
        this.block = owner.allocate(byteSize);
        this.byteSize = byteSize;
    }

    /**
     * Returns a backend's own buffer.
     *
     * @param buffer a buffer handed to the backend
     * @param backend the backend's name
     * @return the buffer as a stream buffer
     * @throws IllegalArgumentException if another backend allocated it
     */
    public static StreamBuffer own(DeviceBuffer buffer, String backend) {
        if (buffer instanceof StreamBuffer stream && stream.device().backend().equals(backend)) {
            return stream;
        }
        throw new IllegalArgumentException("Buffer " + buffer + " on " + buffer.device() + " was not allocated by the " + backend
                + " backend; copy it through host memory");
    }

    /**
     * Returns the device that owns the memory.
     *
     * @return the device
     */
    public StreamDevice owner() {
        return owner;
    }

    /**
     * Returns the device address of the first byte.
     *
     * @return the address
     * @throws AlreadyClosedException if the buffer is closed
     */
    public long address() {
        if (closed) {
            throw new AlreadyClosedException(this);
        }
        return block.address();
    }

    @Override
    public Device device() {
        return owner.device();
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            owner.free(block);
        }
    }

    @Override
    public String toString() {
        return "StreamBuffer[" + byteSize + " bytes on " + owner.device() + "]";
    }
}
