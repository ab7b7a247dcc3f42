package dev.crossbar.backend.rocm;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.rocm.internal.ffi.HipError;
import dev.crossbar.backend.rocm.internal.ffi.HipException;
import dev.crossbar.backend.rocm.internal.ffi.NativeHip;
import dev.crossbar.backend.rocm.internal.ffi.NativeHiprtc;
import dev.crossbar.backend.rocm.internal.ffi.NativeRocblas;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelArguments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One AMD GPU as the backend uses it: one non-blocking stream that orders all of the backend's work on it, the caching
 * allocator of that stream (over {@code hipMallocAsync} where the device has memory pools, else {@code hipMalloc}),
 * loaded kernels and a rocBLAS handle. Every entry point makes the device current on the calling thread first, since
 * HIP's current device is per thread.
 */
final class HipDevice implements AutoCloseable {
    private final Device device;
    private final NativeHip hip;
    private final MemorySegment stream;
    private final LaunchConfiguration.DeviceLimits limits;
    private final CachingAllocator allocator;
    private final CompiledModuleCache modules;
    private final Optional<NativeRocblas> rocblas;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final List<MemorySegment> loadedModules = new ArrayList<>();
    private MemorySegment rocblasHandle;

    HipDevice(Device device, NativeHip hip, NativeHiprtc hiprtc, Optional<NativeRocblas> rocblas, Path cacheDirectory) {
        this.device = device;
        this.hip = hip;
        this.rocblas = rocblas;
        int index = device.index();
        hip.hipSetDevice(index);
        this.limits = new LaunchConfiguration.DeviceLimits(
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_THREADS_PER_BLOCK, index),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_GRID_DIM_X, index),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MULTIPROCESSOR_COUNT, index),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, index));
        String architecture = hip.gcnArchName(index);
        this.modules = new CompiledModuleCache(cacheDirectory, architecture,
                kernel -> hiprtc.compile(kernel.source(), kernel.entryPoint() + ".hip", List.of("--offload-arch=" + architecture)));
        this.stream = hip.hipStreamCreateWithFlags(NativeHip.STREAM_NON_BLOCKING);
        boolean pools = hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MEMORY_POOLS_SUPPORTED, index) != 0;
        this.allocator = new CachingAllocator(new CachingAllocator.DeviceMemory() {
            @Override
            public long allocate(long bytes) {
                return pools ? hip.hipMallocAsync(bytes, stream) : hip.hipMalloc(bytes);
            }

            @Override
            public void free(long address) {
                if (pools) {
                    hip.hipFreeAsync(address, stream);
                } else {
                    hip.hipFree(address);
                }
            }

            @Override
            public boolean isOutOfMemory(RuntimeException failure) {
                return failure instanceof HipException e && e.code() == HipError.HIP_ERROR_OUT_OF_MEMORY;
            }
        });
    }

    Device device() {
        return device;
    }

    MemorySegment stream() {
        return stream;
    }

    NativeHip hip() {
        return hip;
    }

    /** Makes this device current on the calling thread. */
    void makeCurrent() {
        hip.hipSetDevice(device.index());
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
            hip.hipModuleLaunchKernel(function, configuration.gridSize(), configuration.blockSize(), stream, packed.addressArray());
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
            hip.hipMemsetD8Async(fault.address(), (byte) 0, Long.BYTES, stream);
            launch(kernel, work, packed -> {
                arguments.accept(packed);
                packed.pointer(fault.address());
            });
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment host = arena.allocate(ValueLayout.JAVA_LONG);
                copyToHost(fault.address(), host);
                return host.get(ValueLayout.JAVA_LONG, 0);
            }
        } finally {
            free(fault);
        }
    }

    void copyToHost(long address, MemorySegment destination) {
        makeCurrent();
        hip.hipMemcpyDtoHAsync(destination, address, stream);
        hip.hipStreamSynchronize(stream);
    }

    boolean hasRocblas() {
        return rocblas.isPresent();
    }

    /**
     * Returns this device's rocBLAS handle, created on first use and bound to the stream.
     *
     * @return the library and the handle
     */
    synchronized Rocblas rocblas() {
        NativeRocblas library = rocblas.orElseThrow(() -> new CrossbarException("rocBLAS is needed for dot_general on " + device
                + " and is not installed (librocblas); install ROCm's rocblas package (Debian 12 does not ship it)"));
        makeCurrent();
        if (rocblasHandle == null) {
            rocblasHandle = library.createHandle();
            library.setStream(rocblasHandle, stream);
        }
        return new Rocblas(library, rocblasHandle);
    }

    /**
     * A rocBLAS library and this device's handle.
     *
     * @param library the bound library
     * @param handle the {@code rocblas_handle}
     */
    record Rocblas(NativeRocblas library, MemorySegment handle) {
    }

    private synchronized MemorySegment function(GeneratedKernel kernel) {
        String key = kernel.sha256();
        MemorySegment function = functions.get(key);
        if (function == null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment module = hip.hipModuleLoadData(arena.allocateFrom(ValueLayout.JAVA_BYTE, modules.codeObject(kernel)));
                loadedModules.add(module);
                function = hip.hipModuleGetFunction(module, kernel.entryPoint());
            }
            functions.put(key, function);
        }
        return function;
    }

    /** Waits for the stream, then releases the cache, the modules and the stream. */
    @Override
    public synchronized void close() {
        makeCurrent();
        hip.hipStreamSynchronize(stream);
        if (rocblasHandle != null) {
            rocblas.orElseThrow().destroyHandle(rocblasHandle);
        }
        allocator.releaseCache();
        hip.hipStreamSynchronize(stream);
        loadedModules.forEach(hip::hipModuleUnload);
        hip.hipStreamDestroy(stream);
    }
}
