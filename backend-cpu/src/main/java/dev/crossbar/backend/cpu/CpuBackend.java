package dev.crossbar.backend.cpu;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.cpu.kernel.CpuKernels;
import dev.crossbar.backend.cpu.kernel.MatmulPath;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import dev.crossbar.spi.memory.MemoryStats;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The reference backend: N virtual devices in host memory, eager kernels on one process-wide thread pool. */
final class CpuBackend implements Backend {
    private final List<Device> devices;
    private final HostMemoryPool memory = new HostMemoryPool();
    private final KernelSet kernels;
    private volatile boolean closed;

    CpuBackend(int deviceCount, MatmulPath matmulPath) {
        this.devices = devicesOf(deviceCount);
        this.kernels = KernelSet.of(CpuBackendProvider.NAME, ExecutionMode.EAGER, CpuKernels.instantiate(matmulPath), CpuKernels.instantiateFused());
    }

    static List<Device> devicesOf(int count) {
        List<Device> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(new Device(CpuBackendProvider.NAME, i));
        }
        return List.copyOf(list);
    }

    @Override
    public String name() {
        return CpuBackendProvider.NAME;
    }

    @Override
    public List<Device> devices() {
        return devices;
    }

    @Override
    public DeviceBuffer allocate(Device device, long byteSize) {
        checkOpen();
        checkDevice(device);
        if (byteSize < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot allocate %d bytes on %s; the size must be >= 0", byteSize, device));
        }
        return CpuBuffer.allocate(device, byteSize, memory);
    }

    @Override
    public void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
        MemorySegment.copy(source, 0, segmentOf(destination), destinationOffset, source.byteSize());
    }

    @Override
    public void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
        MemorySegment.copy(segmentOf(source), sourceOffset, destination, 0, destination.byteSize());
    }

    @Override
    public void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        MemorySegment.copy(segmentOf(source), sourceOffset, segmentOf(destination), destinationOffset, byteCount);
    }

    @Override
    public Optional<DeviceBuffer> wrapHostMemory(Device device, MemorySegment segment) {
        checkOpen();
        checkDevice(device);
        if (!segment.isNative() || segment.isReadOnly()) {
            return Optional.empty();
        }
        return Optional.of(CpuBuffer.wrap(device, segment));
    }

    /**
     * Returns the host pool's statistics, shared by the virtual devices.
     *
     * @return the statistics
     */
    @Override
    public Optional<MemoryStats> memoryStats() {
        return Optional.of(memory.stats());
    }

    @Override
    public KernelSet kernels() {
        return kernels;
    }

    @Override
    public void close() {
        // The kernel pool is process-wide; the memory pool is this backend's.
        closed = true;
        memory.close();
    }

    @Override
    public String toString() {
        return "CpuBackend" + devices;
    }

    private void checkOpen() {
        if (closed) {
            throw new AlreadyClosedException(this);
        }
    }

    private void checkDevice(Device device) {
        if (!devices.contains(device)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "Device %s does not belong to this cpu backend, whose devices are %s; set %s to have more",
                    device, devices, CpuBackendProvider.DEVICES_PROPERTY));
        }
    }

    private static MemorySegment segmentOf(DeviceBuffer buffer) {
        if (buffer instanceof CpuBuffer cpu) {
            return cpu.segment();
        }
        throw new IllegalArgumentException("Buffer " + buffer + " on " + buffer.device() + " was not allocated by the cpu backend; copy it through host memory");
    }
}
