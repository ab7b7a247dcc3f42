/**
 * Crossbar's cpu backend: the reference implementation of every op, always available, the embedded default.
 */
module dev.crossbar.backend.cpu {
    // Dependencies: the API and the backend SPI, the Vector API and the logging facade.
    requires dev.crossbar.api;
    // The matmul kernel's vectors; classpath users add --add-modules jdk.incubator.vector, or get the scalar kernel.
    requires jdk.incubator.vector;
    requires org.slf4j;

    // Exports: none; the backend is reached only through the SPI service below.

    // Provides: the backend, found by ServiceLoader (META-INF/services lists it too, for the classpath).
    provides dev.crossbar.spi.BackendProvider with dev.crossbar.backend.cpu.CpuBackendProvider;
}
