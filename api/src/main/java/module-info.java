/**
 * Crossbar's user API (tensors, element types, devices, scopes) and the backend SPI that accelerator plugins
 * implement.
 */
module dev.crossbar.api {
    // Dependencies: logging facade only; implementations are chosen by the application.
    requires org.slf4j;
    // Dependencies: JSON for checkpoint headers and indexes, through the streaming API only.
    requires com.fasterxml.jackson.core;

    // Exports: the user API.
    exports dev.crossbar.api;
    exports dev.crossbar.api.distributed;
    exports dev.crossbar.api.nn;
    exports dev.crossbar.api.optim;
    exports dev.crossbar.api.checkpoint;
    exports dev.crossbar.api.sharding;

    // Exports: the SPI for backend plugins, kept in its own packages.
    exports dev.crossbar.spi;
    exports dev.crossbar.spi.kernel;
    exports dev.crossbar.spi.codegen;
    exports dev.crossbar.spi.graph;
    exports dev.crossbar.spi.memory;
    exports dev.crossbar.spi.ffi;

    // Uses: backends are discovered by the runtime, which declares the service use itself.
}
