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
import org.junit.jupiter.api.Test;

/**
 * The tiny GPT trained with FSDP on two neuron ranks (BF16 matrix products by Neuron's default rule; the collectives
 * recorded into the ranks' graphs and run as one SPMD program per materialization point, emulated on XLA:CPU) against
 * F32 FSDP on two cpu ranks; and FSDP meshes and process groups checked against the NeuronCores of the instance type.
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

    @Test
    void fsdpOnTwoRanksTrainsInBf16LikeF32FsdpOnCpuAndCompilesTheStepOnce() {
        int world = 2;
        NeuronBackend backend = neuron(Map.of("crossbar.neuron.devices", "2", "crossbar.neuron.instance.type", "trn1.2xlarge"));
        double[] reference;
        try (Backend cpu = new CpuBackendProvider().create(new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "2")))) {
            reference = TinyGptWorkload.trainFsdp(cpu, world, STEPS, () -> 0).losses();
        }
        TinyGptWorkload.TrainingRun neuron;
        try (backend) {
            neuron = TinyGptWorkload.trainFsdp(backend, world, STEPS, backend.engine()::compilations);
        }
        double largest = 0;
        for (int step = 0; step < STEPS; step++) {
            double difference = Math.abs(neuron.losses()[step] - reference[step]);
            assertTrue(difference <= BF16_LOSS_TOLERANCE, String.format(Locale.ROOT, "step %d: loss %.6f on 2 neuron ranks, %.6f on 2 cpu ranks (tolerance %.1e)",
                    step, neuron.losses()[step], reference[step], BF16_LOSS_TOLERANCE));
            largest = Math.max(largest, difference);
        }
        assertTrue(largest > F32_NOISE, "BF16 matrix products must show in the losses; the largest difference from F32 is " + largest);
        assertTrue(neuron.losses()[STEPS - 1] < neuron.losses()[0] - 0.05, "the workload must learn: loss " + neuron.losses()[0] + " -> " + neuron.losses()[STEPS - 1]);
        long[] counts = neuron.countAfterStep();
        assertEquals(counts[1], counts[STEPS - 1], "steps 2.." + STEPS + " must reuse the programs compiled for the step instead of compiling again");
        System.out.printf(Locale.ROOT, "tiny GPT with FSDP on 2 neuron ranks (SPMD emulated on XLA:CPU, BF16 matrix products): %d steps, loss %.4f -> %.4f,"
                + " largest difference from 2 cpu ranks in F32 %.2e (tolerance %.1e), %d compilations after step 2 and after step %d%n", STEPS,
                neuron.losses()[0], neuron.losses()[STEPS - 1], largest, BF16_LOSS_TOLERANCE, counts[1], STEPS);
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
