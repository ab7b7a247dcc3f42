package dev.crossbar.backend.neuron;

import dev.crossbar.api.Device;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.backend.xla.executor.XlaExecutor;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.LazyGraphBackend;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import java.util.List;
import java.util.Optional;

/**
 * The neuron backend: NeuronCores whose kernels record a graph that the xla backend's lazy engine lowers to StableHLO
 * at materialization points and hands to the {@link NeuronExecutor}, which applies Neuron's program rules.
 */
final class NeuronBackend extends LazyGraphBackend {
    private final NeuronExecutor executor;
    private final Optional<NeuronTopology> topology;

    /**
     * Creates the backend.
     *
     * @param executor runs the modules under Neuron's rules
     * @param programs what the engine runs programs on: {@code executor}, or an SPMD emulation around it
     * @param topology the NeuronCores process groups are checked against, when the instance type is known
     */
    NeuronBackend(List<Device> devices, NeuronExecutor executor, XlaExecutor programs, NeuronProgramRules rules, Optional<NeuronTopology> topology) {
        this(devices, executor, rules, new LazyEngine(programs), topology);
    }

    private NeuronBackend(List<Device> devices, NeuronExecutor executor, NeuronProgramRules rules, LazyEngine engine, Optional<NeuronTopology> topology) {
        super(NeuronBackendProvider.NAME, devices, engine,
                KernelSet.of(NeuronBackendProvider.NAME, ExecutionMode.LAZY_GRAPH, List.of(new NeuronKernels(engine, rules.computeType()))));
        this.executor = executor;
        this.topology = topology;
    }

    /**
     * Returns the xla engine's process groups, each checked against the NeuronCore topology when it is created: its
     * ranks are the replica ids of its collectives, so each must run on a visible core ({@link NeuronTopology#checkGroup});
     * in one process the ranks share one instance.
     *
     * @return the checked factory
     */
    @Override
    public Optional<CommunicatorFactory> communicators() {
        CommunicatorFactory groups = super.communicators().orElseThrow();
        return Optional.of((membership, bootstrap) -> {
            topology.ifPresent(t -> t.checkGroup(membership.name(), membership.ranks(), 1));
            return groups.create(membership, bootstrap);
        });
    }

    /**
     * Checks an FSDP or HSDP mesh against the NeuronCore topology when it is known
     * ({@link NeuronTopology#checkShardingMesh}), before anything is sharded; in one process the ranks share one instance.
     */
    @Override
    public void checkShardingMesh(DeviceMesh mesh) {
        topology.ifPresent(t -> t.checkShardingMesh(mesh, 1));
    }

    /** The executor, for tests that read the rules' report. */
    NeuronExecutor executor() {
        return executor;
    }
}
