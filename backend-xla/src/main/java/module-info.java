/** The XLA backend: lazy graphs lowered to StableHLO and run by a PJRT plugin, bound with the FFM API. */
// The qualified export names a module built after this one, which javac reports as not found.
@SuppressWarnings("module")
module dev.crossbar.backend.xla {
    // Dependencies: the API and the backend SPI.
    requires dev.crossbar.api;
    // Optional: TensorFlow Java, for the verification executor (XLA:CPU through XlaCallModule) when it is on the path.
    requires static tensorflow;

    // Qualified exports: PJRT plugin loading, shared with the Neuron backend, whose device is reached through a PJRT
    // plugin too. Nothing else is exported; the runtime reaches this backend only through its BackendProvider service.
    exports dev.crossbar.backend.xla.pjrt to dev.crossbar.backend.neuron;

    // Provides: the backend, found by ServiceLoader.
    provides dev.crossbar.spi.BackendProvider with dev.crossbar.backend.xla.XlaBackendProvider;
}
