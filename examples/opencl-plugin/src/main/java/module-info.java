/**
 * An OpenCL backend for Crossbar, written as a third-party plugin: it depends on Crossbar's API and SPI only, runs on
 * any OpenCL 1.2 device through the ICD loader, and is verified on PoCL with Crossbar's conformance kit.
 */
module com.example.opencl {
    // Dependencies: the API and the backend SPI, nothing else of Crossbar.
    requires dev.crossbar.api;

    // Exports: none; the backend is reached only through the SPI service below.

    // Provides: the backend, found by ServiceLoader (META-INF/services lists it too, for the classpath).
    provides dev.crossbar.spi.BackendProvider with com.example.opencl.OpenClBackendProvider;
}
