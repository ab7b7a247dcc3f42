/**
 * Crossbar's cpu backend: the reference implementation of every op, always available, the embedded default.
 */
module dev.crossbar.backend.cpu {
    // Dependencies: the API and the backend SPI only.
    requires dev.crossbar.api;

    // Exports: none; the backend is reached only through the SPI service below.

    // Provides: the backend, found by ServiceLoader (META-INF/services lists it too, for the classpath).
    provides dev.crossbar.spi.BackendProvider with dev.crossbar.backend.cpu.CpuBackendProvider;
}
