package dev.crossbar.backend.neuron.archfixture.clean;

import dev.crossbar.backend.xla.pjrt.archfixture.PjrtClientFixture;

/** Neuron using backend-xla's exported PJRT package, which is allowed. */
public class NeuronUsingPjrt {
    /** The allowed dependency. */
    public PjrtClientFixture client;
}
