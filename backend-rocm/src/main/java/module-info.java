/** The ROCm backend: AMD GPUs through the HIP runtime and hiprtc, bound with the FFM API. */
module dev.crossbar.backend.rocm {
    // Dependencies: the API and the backend SPI.
    requires dev.crossbar.api;

    // Exports: none; the runtime reaches this backend only through its BackendProvider service.

    // Provides: the backend, found by ServiceLoader.
    provides dev.crossbar.spi.BackendProvider with dev.crossbar.backend.rocm.RocmBackendProvider;
}
