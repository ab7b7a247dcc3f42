package dev.crossbar.backend.neuron.archfixture.violation;

import dev.crossbar.backend.xla.internal.archfixture.XlaCompilerInternals;

/** Violates neuronShouldUseOnlyTheExportedPackagesOfXla. */
public class NeuronUsingXlaInternals {
    /** The forbidden dependency. */
    public XlaCompilerInternals internals;
}
