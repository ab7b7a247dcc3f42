package dev.crossbar.backend.cpu;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.Device;
import dev.crossbar.spi.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** Host memory on one virtual cpu device: owned through its own arena, or wrapped without ownership. */
final class CpuBuffer implements DeviceBuffer {
    private static final long ALIGNMENT = 64;

    private final Device device;
    private final MemorySegment segment;
    private final Optional<Arena> arena;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CpuBuffer(Device device, MemorySegment segment, Optional<Arena> arena) {
        this.device = device;
        this.segment = segment;
        this.arena = arena;
    }

    static CpuBuffer allocate(Device device, long byteSize) {
        Arena arena = Arena.ofShared();
        return new CpuBuffer(device, arena.allocate(byteSize, ALIGNMENT), Optional.of(arena));
    }

    static CpuBuffer wrap(Device device, MemorySegment segment) {
        return new CpuBuffer(device, segment, Optional.empty());
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
        if (closed.compareAndSet(false, true)) {
            arena.ifPresent(Arena::close);
        }
    }

    @Override
    public String toString() {
        return "CpuBuffer[" + segment.byteSize() + " bytes on " + device + (arena.isEmpty() ? ", wrapped" : "") + (closed.get() ? ", closed" : "") + "]";
    }
}
