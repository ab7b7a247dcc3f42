/** The XLA backend: lazy graphs lowered to StableHLO and run by a PJRT plugin, bound with the FFM API. */
// The qualified export names a module built after this one, which javac reports as not found.
@SuppressWarnings("module")
module dev.crossbar.backend.xla {
    // Dependencies: the API and the backend SPI.
    requires dev.crossbar.api;
    // Optional: TensorFlow Java, for the verification executor (XLA:CPU through XlaCallModule) when it is on the path.
    requires static tensorflow;

    // Qualified exports, to the Neuron backend only: PJRT plugin loading, since Neuron's device is reached through a PJRT
    // plugin too. Nothing is exported to anyone else; the runtime reaches this backend only through its BackendProvider service.
    exports dev.crossbar.backend.xla.pjrt to dev.crossbar.backend.neuron;
    // The lazy engine, its executors and kernels, and the verification executor: the Neuron backend records the same
    // graphs, lowers them with the same StableHLO lowering and runs them on the same executors, under Neuron's rules.
    exports dev.crossbar.backend.xla.lazy to dev.crossbar.backend.neuron;
    exports dev.crossbar.backend.xla.executor to dev.crossbar.backend.neuron;
    exports dev.crossbar.backend.xla.kernel to dev.crossbar.backend.neuron;
    exports dev.crossbar.backend.xla.stablehlo to dev.crossbar.backend.neuron;
    exports dev.crossbar.backend.xla.internal.tf to dev.crossbar.backend.neuron;

    // Provides: the backend, found by ServiceLoader.
    provides dev.crossbar.spi.BackendProvider with dev.crossbar.backend.xla.XlaBackendProvider;
}
