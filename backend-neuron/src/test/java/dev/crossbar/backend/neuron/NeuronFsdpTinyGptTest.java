package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.Generator;
import dev.crossbar.api.Shape;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.SpmdException;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.api.nn.Linear;
import dev.crossbar.api.sharding.Fsdp;
import dev.crossbar.api.sharding.FsdpOptions;
import dev.crossbar.backend.cpu.CpuBackendProvider;
import dev.crossbar.conformance.TinyGptWorkload;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiny GPT trained with FSDP on two neuron ranks and with HSDP on a 2x2 mesh (BF16 matrix products by Neuron's
 * default rule; the collectives recorded into the ranks' graphs and run as one SPMD program per materialization point,
 * emulated on XLA:CPU) against the same F32 training on cpu ranks; and FSDP meshes and process groups checked against the NeuronCores of the instance type.
 */
class NeuronFsdpTinyGptTest {
    private static final int STEPS = 12;
    /** The single-device test's BF16 bound (NeuronTinyGptTest): FSDP only changes where the sums are taken. */
    private static final double BF16_LOSS_TOLERANCE = 5e-3;
    /** Below this the losses would be F32-identical, which would mean the BF16 rule was not applied. */
    private static final double F32_NOISE = 1e-5;

    private static NeuronBackend neuron(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("crossbar.neuron.executor", "tensorflow");
        BackendContext context = new BackendContext(all);
        NeuronBackendProvider provider = new NeuronBackendProvider();
        Availability availability = provider.probe(context);
        assumeTrue(availability.available(), () -> "UNAVAILABLE: the neuron verification executor cannot run here: " + availability.reason());
        return (NeuronBackend) provider.create(context);
    }

    /** FSDP on 2 ranks of a trn1.2xlarge's two cores, and HSDP (2 replicas x 2 shards) on 4 of a trn1.32xlarge's 32. */
    static Stream<Arguments> meshes() {
        return Stream.of(Arguments.of(DeviceMesh.of(new int[] {2}, "shard"), "trn1.2xlarge"),
                Arguments.of(DeviceMesh.of(new int[] {2, 2}, "replicate", "shard"), "trn1.32xlarge"));
    }

    @ParameterizedTest(name = "mesh {0} on {1}")
    @MethodSource("meshes")
    void shardedTrainingRunsInBf16LikeF32OnCpuAndCompilesTheStepOnce(DeviceMesh mesh, String instanceType) {
        int world = mesh.size();
        NeuronBackend backend = neuron(Map.of("crossbar.neuron.devices", Integer.toString(world), "crossbar.neuron.instance.type", instanceType));
        double[] reference;
        try (Backend cpu = new CpuBackendProvider().create(new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, Integer.toString(world))))) {
            reference = TinyGptWorkload.trainFsdp(cpu, mesh, STEPS, () -> 0).losses();
        }
        TinyGptWorkload.TrainingRun neuron;
        try (backend) {
            neuron = TinyGptWorkload.trainFsdp(backend, mesh, STEPS, backend.engine()::compilations);
        }
        double largest = 0;
        for (int step = 0; step < STEPS; step++) {
            double difference = Math.abs(neuron.losses()[step] - reference[step]);
            assertTrue(difference <= BF16_LOSS_TOLERANCE, String.format(Locale.ROOT, "step %d: loss %.6f on neuron ranks %s, %.6f on cpu ranks (tolerance %.1e)",
                    step, neuron.losses()[step], mesh, reference[step], BF16_LOSS_TOLERANCE));
            largest = Math.max(largest, difference);
        }
        assertTrue(largest > F32_NOISE, "BF16 matrix products must show in the losses; the largest difference from F32 is " + largest);
        assertTrue(neuron.losses()[STEPS - 1] < neuron.losses()[0] - 0.05, "the workload must learn: loss " + neuron.losses()[0] + " -> " + neuron.losses()[STEPS - 1]);
        long[] counts = neuron.countAfterStep();
        assertEquals(counts[1], counts[STEPS - 1], "steps 2.." + STEPS + " must reuse the programs compiled for the step instead of compiling again");
        System.out.printf(Locale.ROOT, "tiny GPT on neuron ranks, mesh %s on %s (SPMD emulated on XLA:CPU, BF16 matrix products): %d steps, loss %.4f ->"
                + " %.4f, largest difference from cpu ranks in F32 %.2e (tolerance %.1e), %d compilations after step 2 and after step %d%n", mesh,
                instanceType, STEPS, neuron.losses()[0], neuron.losses()[STEPS - 1], largest, BF16_LOSS_TOLERANCE, counts[1], STEPS);
    }

    @Test
    void anFsdpMeshWiderThanTheVisibleNeuronCoresIsRefusedBeforeAnythingIsSharded() {
        DeviceMesh mesh = DeviceMesh.of(new int[] {4}, "shard");
        try (NeuronBackend backend = neuron(Map.of("crossbar.neuron.devices", "2", "crossbar.neuron.instance.type", "inf2.xlarge"))) {
            List<String> outcomes = InProcessSpmd.call(backend, 2, SpmdOptions.defaults(), rank -> {
                Linear layer = new Linear(rank.scope(), new Generator(0), 8, 8, true);
                NeuronConfigurationException e = assertThrows(NeuronConfigurationException.class,
                        () -> Fsdp.fullyShard(layer, rank, mesh, FsdpOptions.defaults()));
                return e.getMessage() + " | sharded: " + Fsdp.of(layer).isPresent() + ", weight " + layer.weight().value().shape();
            });

            String expected = "device mesh " + mesh + " needs a NeuronCore for rank(s) [2, 3], but 1 node(s) x 2 visible cores (cores 0-1 on inf2.xlarge,"
                    + " NEURON_LOGICAL_NC_CONFIG=1) give ranks 0-1; run at most 2 ranks per node, or make more cores visible with NEURON_RT_VISIBLE_CORES"
                    + " | sharded: false, weight " + Shape.of(8, 8);
            assertEquals(List.of(expected, expected), outcomes);
        }
    }

    @Test
    void aGroupWiderThanTheVisibleNeuronCoresIsRefusedWhenItIsCreated() {
        try (NeuronBackend backend = neuron(Map.of("crossbar.neuron.devices", "4", "crossbar.neuron.instance.type", "inf2.xlarge"))) {
            SpmdException e = assertThrows(SpmdException.class, () -> InProcessSpmd.run(backend, 4, SpmdOptions.defaults(), rank -> rank.world()));
            NeuronConfigurationException cause = assertInstanceOf(NeuronConfigurationException.class, e.getCause());
            assertTrue(cause.getMessage().startsWith("process group world [0, 1, 2, 3] needs a NeuronCore for rank(s) [2, 3], but 1 node(s) x 2 visible"
                    + " cores (cores 0-1 on inf2.xlarge"), cause.getMessage());
        }
    }
}
