package dev.crossbar.backend.neuron;

import dev.crossbar.api.Device;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.LazyGraphBackend;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import java.util.List;

/**
 * The neuron backend: NeuronCores whose kernels record a graph that the xla backend's lazy engine lowers to StableHLO
 * at materialization points and hands to the {@link NeuronExecutor}, which applies Neuron's program rules.
 */
final class NeuronBackend extends LazyGraphBackend {
    private final NeuronExecutor executor;

    NeuronBackend(List<Device> devices, NeuronExecutor executor, NeuronProgramRules rules) {
        this(devices, executor, rules, new LazyEngine(executor));
    }

    private NeuronBackend(List<Device> devices, NeuronExecutor executor, NeuronProgramRules rules, LazyEngine engine) {
        super(NeuronBackendProvider.NAME, devices, engine,
                KernelSet.of(NeuronBackendProvider.NAME, ExecutionMode.LAZY_GRAPH, List.of(new NeuronKernels(engine, rules.computeType()))));
        this.executor = executor;
    }

    /** The executor, for tests that read the rules' report. */
    NeuronExecutor executor() {
        return executor;
    }
}
