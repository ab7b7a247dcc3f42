package dev.crossbar.backend.cpu;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.Device;
import dev.crossbar.spi.DeviceBuffer;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** Host memory on one virtual cpu device: a block of the backend's pool, given back on close, or wrapped memory. */
final class CpuBuffer implements DeviceBuffer {
    private final Device device;
    private final MemorySegment segment;
    private final MemorySegment block;
    private final HostMemoryPool pool;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CpuBuffer(Device device, MemorySegment segment, MemorySegment block, HostMemoryPool pool) {
        this.device = device;
        this.segment = segment;
        this.block = block;
        this.pool = pool;
    }

    static CpuBuffer allocate(Device device, long byteSize, HostMemoryPool pool) {
        MemorySegment block = pool.take(byteSize);
        return new CpuBuffer(device, block.asSlice(0, byteSize), block, pool);
    }

    static CpuBuffer wrap(Device device, MemorySegment segment) {
        return new CpuBuffer(device, segment, null, null);
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public long byteSize() {
        return segment.byteSize();
    }

    @Override
    public Optional<MemorySegment> hostSegment() {
        return Optional.of(segment());
    }

    /** The memory; throws {@link AlreadyClosedException} once the buffer is closed, also for wrapped memory. */
    MemorySegment segment() {
        if (closed.get()) {
            throw new AlreadyClosedException(this);
        }
        return segment;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && pool != null) {
            pool.give(block);
        }
    }

    @Override
    public String toString() {
        return "CpuBuffer[" + segment.byteSize() + " bytes on " + device + (pool == null ? ", wrapped" : "") + (closed.get() ? ", closed" : "") + "]";
    }
}
