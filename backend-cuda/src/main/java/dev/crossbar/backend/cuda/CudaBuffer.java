package dev.crossbar.backend.cuda;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.Device;
import dev.crossbar.spi.DeviceBuffer;

/** Device memory from a {@link CudaDevice}'s caching allocator; closing it returns the block to the cache. */
final class CudaBuffer implements DeviceBuffer {
    private final CudaDevice owner;
    private final CachingAllocator.Block block;
    private final long byteSize;
    private boolean closed;

    CudaBuffer(CudaDevice owner, CachingAllocator.Block block, long byteSize) {
        this.owner = owner;
        this.block = block;
        this.byteSize = byteSize;
    }

    CudaDevice owner() {
        return owner;
    }

    /** Returns the device address of the first byte. */
    long address() {
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
        return "CudaBuffer[" + byteSize + " bytes on " + owner.device() + "]";
    }
}
