/** The CUDA backend: NVIDIA GPUs through the CUDA driver API and NVRTC, bound with the FFM API. */
module dev.crossbar.backend.cuda {
    // Dependencies: the API and the backend SPI.
    requires dev.crossbar.api;

    // Exports: none; the runtime reaches this backend only through its BackendProvider service.

    // Provides: the backend, found by ServiceLoader.
    provides dev.crossbar.spi.BackendProvider with dev.crossbar.backend.cuda.CudaBackendProvider;
}
