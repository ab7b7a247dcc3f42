package dev.crossbar.spi.codegen;

/**
 * A vendor's compiler of generated kernel source (NVRTC to PTX, hiprtc to code objects), which
 * {@link CompiledModuleCache} calls for a kernel it has not cached yet.
 */
public interface KernelCompiler {
    /**
     * Returns the file extension of compiled modules in the cache.
     *
     * @return such as {@code ptx} or {@code co}
     */
    String moduleExtension();

    /**
     * Compiles a kernel for one architecture.
     *
     * @param kernel the kernel
     * @param architecture the device's architecture ({@link GpuRuntime.DeviceProperties#architecture()})
     * @return the module image {@link GpuRuntime#loadModule} loads
     * @throws dev.crossbar.api.CrossbarException if the compiler is missing or refuses the source (with its log)
     */
    byte[] compile(GeneratedKernel kernel, String architecture);
}
