package dev.crossbar.backend.xla;

import dev.crossbar.api.Device;
import dev.crossbar.backend.xla.kernel.XlaKernels;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.LazyGraphBackend;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import java.util.List;

/** The xla backend: devices whose kernels record a graph that the engine compiles and runs at materialization points. */
final class XlaBackend extends LazyGraphBackend {
    XlaBackend(List<Device> devices, LazyEngine engine) {
        super(XlaBackendProvider.NAME, devices, engine, KernelSet.of(XlaBackendProvider.NAME, ExecutionMode.LAZY_GRAPH, XlaKernels.create(engine)));
    }
}
