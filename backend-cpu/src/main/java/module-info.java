/**
 * Crossbar's cpu backend: the reference implementation of every op, always available, the embedded default.
 */
module dev.crossbar.backend.cpu {
    // Dependencies: the API and the backend SPI; the Vector API for the F32 kernels (probed, with scalar fallbacks
    // when the module is absent, as on a plain classpath without --add-modules jdk.incubator.vector).
    requires dev.crossbar.api;
    requires jdk.incubator.vector;

    // Exports: none; the backend is reached only through the SPI service below.

    // Provides: the backend, found by ServiceLoader (META-INF/services lists it too, for the classpath).
    provides dev.crossbar.spi.BackendProvider with dev.crossbar.backend.cpu.CpuBackendProvider;
}
