package dev.crossbar.backend.xla;

import dev.crossbar.api.Device;
import dev.crossbar.backend.xla.kernel.XlaKernels;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/** The xla backend: devices whose kernels record a graph that the engine compiles and runs at materialization points. */
final class XlaBackend implements Backend {
    private final List<Device> devices;
    private final LazyEngine engine;
    private final KernelSet kernels;

    XlaBackend(List<Device> devices, LazyEngine engine) {
        this.devices = List.copyOf(devices);
        this.engine = engine;
        this.kernels = KernelSet.of(XlaBackendProvider.NAME, ExecutionMode.LAZY_GRAPH, XlaKernels.create(engine));
    }

    @Override
    public String name() {
        return XlaBackendProvider.NAME;
    }

    @Override
    public List<Device> devices() {
        return devices;
    }

    @Override
    public DeviceBuffer allocate(Device target, long byteSize) {
        checkDevice(target);
        return engine.allocate(target, byteSize);
    }

    @Override
    public void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
        engine.copyFromHost(source, destination, destinationOffset);
    }

    @Override
    public void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
        engine.copyToHost(source, sourceOffset, destination);
    }

    @Override
    public void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        engine.copy(source, sourceOffset, destination, destinationOffset, byteCount);
    }

    @Override
    public Optional<DeviceBuffer> wrapHostMemory(Device target, MemorySegment segment) {
        return Optional.empty();
    }

    @Override
    public KernelSet kernels() {
        return kernels;
    }

    @Override
    public void synchronize() {
        engine.synchronize();
    }

    /** The engine, for tests that count compilations. */
    LazyEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
    }

    private void checkDevice(Device target) {
        if (!devices.contains(target)) {
            throw new IllegalArgumentException("backend 'xla' has devices " + devices + "; got " + target);
        }
    }
}
