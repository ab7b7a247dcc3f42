package dev.crossbar.backend.neuron;

import dev.crossbar.api.Device;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The neuron backend: NeuronCores whose kernels record a graph that the xla backend's lazy engine lowers to StableHLO
 * at materialization points and hands to the {@link NeuronExecutor}, which applies Neuron's program rules.
 */
final class NeuronBackend implements Backend {
    private final List<Device> devices;
    private final LazyEngine engine;
    private final NeuronExecutor executor;
    private final KernelSet kernels;

    NeuronBackend(List<Device> devices, NeuronExecutor executor, NeuronProgramRules rules) {
        this.devices = List.copyOf(devices);
        this.executor = executor;
        this.engine = new LazyEngine(executor);
        this.kernels = KernelSet.of(NeuronBackendProvider.NAME, ExecutionMode.LAZY_GRAPH, List.of(new NeuronKernels(engine, rules.computeType())));
    }

    @Override
    public String name() {
        return NeuronBackendProvider.NAME;
    }

    @Override
    public List<Device> devices() {
        return devices;
    }

    @Override
    public DeviceBuffer allocate(Device target, long byteSize) {
        if (!devices.contains(target)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "backend '%s' has devices %s; got %s", NeuronBackendProvider.NAME, devices, target));
        }
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

    /** The executor, for tests that read the rules' report. */
    NeuronExecutor executor() {
        return executor;
    }

    @Override
    public void close() {
        engine.close();
    }
}
