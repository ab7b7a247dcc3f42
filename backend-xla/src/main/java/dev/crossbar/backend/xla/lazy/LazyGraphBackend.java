package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.Device;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.KernelSet;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A backend whose kernels record a graph that a {@link LazyEngine} compiles and runs at materialization points: the
 * xla backend, and the neuron backend on the same engine. Buffers, copies and synchronization all go to the engine.
 */
public class LazyGraphBackend implements Backend {
    private final String name;
    private final List<Device> devices;
    private final LazyEngine engine;
    private final KernelSet kernels;
    private final CommunicatorFactory communicators;

    /**
     * Creates a backend on an engine; closing the backend closes the engine.
     *
     * @param name the backend's name
     * @param devices its devices
     * @param engine the engine its kernels record into
     * @param kernels the kernels, recording into {@code engine}
     */
    protected LazyGraphBackend(String name, List<Device> devices, LazyEngine engine, KernelSet kernels) {
        this.name = name;
        this.devices = List.copyOf(devices);
        this.engine = engine;
        this.kernels = kernels;
        this.communicators = new LazyCommunicatorFactory(engine);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<Device> devices() {
        return devices;
    }

    @Override
    public final DeviceBuffer allocate(Device target, long byteSize) {
        if (!devices.contains(target)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "backend '%s' has devices %s; got %s", name, devices, target));
        }
        return engine.allocate(target, byteSize);
    }

    @Override
    public final void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
        engine.copyFromHost(source, destination, destinationOffset);
    }

    @Override
    public final void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
        engine.copyToHost(source, sourceOffset, destination);
    }

    @Override
    public final void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        engine.copy(source, sourceOffset, destination, destinationOffset, byteCount);
    }

    /** Host memory is never wrapped: the engine owns every buffer's storage. */
    @Override
    public final Optional<DeviceBuffer> wrapHostMemory(Device target, MemorySegment segment) {
        return Optional.empty();
    }

    @Override
    public final KernelSet kernels() {
        return kernels;
    }

    @Override
    public final void synchronize() {
        engine.synchronize();
    }

    @Override
    public final void synchronize(Device device) {
        engine.synchronize(device);
    }

    /**
     * Returns process groups whose collectives are recorded into the ranks' graphs and run as SPMD programs, so that
     * {@code Spmd} and FSDP run on this backend with one compiled program per step.
     *
     * @return the factory of {@link LazyCommunicatorFactory}
     */
    @Override
    public Optional<CommunicatorFactory> communicators() {
        return Optional.of(communicators);
    }

    /**
     * Returns the engine, for tests that count compilations and executions.
     *
     * @return the engine
     */
    public final LazyEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
    }
}
