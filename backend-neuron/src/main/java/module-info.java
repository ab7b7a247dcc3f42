/** The Neuron backend: AWS Trainium and Inferentia through the Neuron PJRT plugin, loaded with the XLA backend's PJRT support. */
module dev.crossbar.backend.neuron {
    // Dependencies: the API and the backend SPI; the XLA backend for its PJRT package, exported to this module only.
    requires dev.crossbar.api;
    requires dev.crossbar.backend.xla;

    // Exports: none; the runtime reaches this backend only through its BackendProvider service.

    // Provides: the backend, found by ServiceLoader.
    provides dev.crossbar.spi.BackendProvider with dev.crossbar.backend.neuron.NeuronBackendProvider;
}
