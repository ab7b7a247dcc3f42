package dev.crossbar.backend.cuda;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.cuda.internal.ffi.CuResult;
import dev.crossbar.backend.cuda.internal.ffi.CudaException;
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.backend.cuda.internal.ffi.NativeCudaDriver;
import dev.crossbar.backend.cuda.internal.ffi.NativeNvrtc;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelArguments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One GPU as the backend uses it: its primary context, one non-blocking stream that orders all of the backend's work
 * on it, the caching allocator of that stream, loaded kernels and a cuBLAS handle. Every entry point makes the context
 * current on the calling thread first, since CUDA contexts are per thread.
 */
final class CudaDevice implements AutoCloseable {
    private final Device device;
    private final int cuDevice;
    private final NativeCudaDriver driver;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final LaunchConfiguration.DeviceLimits limits;
    private final CachingAllocator allocator;
    private final CompiledModuleCache modules;
    private final Optional<NativeCublas> cublas;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final List<MemorySegment> loadedModules = new ArrayList<>();
    private MemorySegment cublasHandle;

    CudaDevice(Device device, NativeCudaDriver driver, Optional<NativeNvrtc> nvrtc, Optional<NativeCublas> cublas, Path cacheDirectory) {
        this.device = device;
        this.driver = driver;
        this.cublas = cublas;
        this.cuDevice = driver.cuDeviceGet(device.index());
        if (driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MEMORY_POOLS_SUPPORTED, cuDevice) == 0) {
            throw new CrossbarException("CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED is 0 on " + device
                    + ": the stream-ordered allocator (cuMemAllocAsync) that Crossbar uses needs CUDA 11.2 or newer on a Pascal or newer GPU");
        }
        this.limits = new LaunchConfiguration.DeviceLimits(
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_THREADS_PER_BLOCK, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_GRID_DIM_X, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MULTIPROCESSOR_COUNT, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, cuDevice));
        String architecture = String.format(Locale.ROOT, "compute_%d%d",
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, cuDevice));
        this.modules = new CompiledModuleCache(cacheDirectory, architecture, kernel -> nvrtc
                .orElseThrow(() -> new CrossbarException("NVRTC is needed to compile " + kernel.name() + " for " + device
                        + " and is not installed (libnvrtc); install the CUDA toolkit's cuda-nvrtc package"))
                .compileToPtx(kernel.source(), kernel.entryPoint() + ".cu", List.of("--gpu-architecture=" + architecture)));
        this.context = driver.cuDevicePrimaryCtxRetain(cuDevice);
        driver.cuCtxSetCurrent(context);
        this.stream = driver.cuStreamCreate(NativeCudaDriver.STREAM_NON_BLOCKING);
        this.allocator = new CachingAllocator(new CachingAllocator.DeviceMemory() {
            @Override
            public long allocate(long bytes) {
                return driver.cuMemAllocAsync(bytes, stream);
            }

            @Override
            public void free(long address) {
                driver.cuMemFreeAsync(address, stream);
            }

            @Override
            public boolean isOutOfMemory(RuntimeException failure) {
                return failure instanceof CudaException e && e.code() == CuResult.CUDA_ERROR_OUT_OF_MEMORY;
            }
        });
    }

    Device device() {
        return device;
    }

    MemorySegment context() {
        return context;
    }

    MemorySegment stream() {
        return stream;
    }

    NativeCudaDriver driver() {
        return driver;
    }

    /** Binds this device's context to the calling thread. */
    void makeCurrent() {
        driver.cuCtxSetCurrent(context);
    }

    CachingAllocator.Block allocate(long bytes) {
        makeCurrent();
        return allocator.allocate(bytes);
    }

    void free(CachingAllocator.Block block) {
        allocator.free(block);
    }

    /**
     * Queues a generated kernel on the stream.
     *
     * @param kernel the kernel
     * @param work its loop's iteration count; nothing is launched for 0
     * @param arguments adds the arguments in parameter order
     */
    void launch(GeneratedKernel kernel, long work, Consumer<KernelArguments> arguments) {
        if (work == 0) {
            return;
        }
        makeCurrent();
        MemorySegment function = function(kernel);
        LaunchConfiguration configuration = LaunchConfiguration.of(work, limits);
        try (Arena arena = Arena.ofConfined()) {
            KernelArguments packed = new KernelArguments(kernel, arena);
            arguments.accept(packed);
            driver.cuLaunchKernel(function, configuration.gridSize(), configuration.blockSize(), stream, packed.addressArray());
        }
    }

    /**
     * Runs a kernel that reports bad input through a fault word (its last parameter) and returns the word: 0 when
     * every element succeeded, else 1 + the row-major position of a failing one.
     *
     * @param kernel the kernel
     * @param work its loop's iteration count
     * @param arguments adds every argument but the fault word
     * @return the fault word
     */
    long launchReportingFault(GeneratedKernel kernel, long work, Consumer<KernelArguments> arguments) {
        if (work == 0) {
            return 0;
        }
        CachingAllocator.Block fault = allocate(Long.BYTES);
        try {
            driver.cuMemsetD8Async(fault.address(), (byte) 0, Long.BYTES, stream);
            launch(kernel, work, packed -> {
                arguments.accept(packed);
                packed.pointer(fault.address());
            });
            return readLong(fault.address());
        } finally {
            free(fault);
        }
    }

    /** Reads one 64-bit value from device memory, waiting for the stream. */
    long readLong(long address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_LONG);
            copyToHost(address, host);
            return host.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    void copyToHost(long address, MemorySegment destination) {
        makeCurrent();
        driver.cuMemcpyDtoHAsync(destination, address, stream);
        driver.cuStreamSynchronize(stream);
    }

    /**
     * Returns this device's cuBLAS handle, created on first use and bound to the stream.
     *
     * @return the library and the handle
     */
    synchronized Cublas cublas() {
        NativeCublas library = cublas.orElseThrow(() -> new CrossbarException("cuBLAS is needed for dot_general on " + device
                + " and is not installed (libcublas); install the CUDA toolkit's libcublas package"));
        makeCurrent();
        if (cublasHandle == null) {
            cublasHandle = library.create();
            library.setStream(cublasHandle, stream);
        }
        return new Cublas(library, cublasHandle);
    }

    /**
     * A cuBLAS library and this device's handle.
     *
     * @param library the bound library
     * @param handle the {@code cublasHandle_t}
     */
    record Cublas(NativeCublas library, MemorySegment handle) {
    }

    private synchronized MemorySegment function(GeneratedKernel kernel) {
        String key = kernel.sha256();
        MemorySegment function = functions.get(key);
        if (function == null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment module = driver.cuModuleLoadData(arena.allocateFrom(modules.ptx(kernel)));
                loadedModules.add(module);
                function = driver.cuModuleGetFunction(module, kernel.entryPoint());
            }
            functions.put(key, function);
        }
        return function;
    }

    /** Waits for the stream, then releases the cache, the modules, the stream and the context. */
    @Override
    public synchronized void close() {
        makeCurrent();
        driver.cuStreamSynchronize(stream);
        if (cublasHandle != null) {
            cublas.orElseThrow().destroy(cublasHandle);
        }
        allocator.releaseCache();
        driver.cuStreamSynchronize(stream);
        loadedModules.forEach(driver::cuModuleUnload);
        driver.cuStreamDestroy(stream);
        driver.cuDevicePrimaryCtxRelease(cuDevice);
    }
}
