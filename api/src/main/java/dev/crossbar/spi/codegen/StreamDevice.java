package dev.crossbar.spi.codegen;

import dev.crossbar.api.Device;
import dev.crossbar.spi.memory.CachingAllocator;
import dev.crossbar.spi.memory.MemoryStats;
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
 * One GPU as a backend uses it, over its vendor's {@link GpuRuntime}: one stream that orders all of the backend's work
 * on it, a {@link CachingAllocator} over that stream's memory (stream-ordered where the device has memory pools),
 * generated kernels compiled once per source ({@link CompiledModuleCache}) and loaded once per device, launches with
 * packed arguments, fault words read back, and the vendor BLAS's GEMM on the stream. Every entry point makes the device
 * current on the calling thread first, since GPU runtimes keep a current device per thread.
 */
public final class StreamDevice implements AutoCloseable {
    private final Device device;
    private final GpuRuntime runtime;
    private final LaunchConfiguration.DeviceLimits limits;
    private final MemorySegment stream;
    private final CachingAllocator allocator;
    private final CompiledModuleCache modules;
    private final Optional<GpuBlas> blas;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final List<MemorySegment> loadedModules = new ArrayList<>();
    private MemorySegment blasHandle;

    /**
     * Opens a device: makes it current, creates its stream and its allocator.
     *
     * @param device the device's name; its index is the runtime's
     * @param runtime the vendor's runtime
     * @param compiler compiles generated kernels for the device's architecture
     * @param blas the vendor BLAS, empty when it is not installed (dot_general then runs the generated matmul)
     * @param modules where compiled modules are cached, and the property that moves that directory
     */
    public StreamDevice(Device device, GpuRuntime runtime, KernelCompiler compiler, Optional<GpuBlas> blas, ModuleDirectory modules) {
        this.device = device;
        this.runtime = runtime;
        this.blas = blas;
        GpuRuntime.DeviceProperties properties = runtime.open(device.index());
        this.limits = properties.limits();
        this.stream = runtime.createStream();
        this.allocator = new CachingAllocator(new RuntimeMemory(properties.memoryPools()));
        this.modules = new CompiledModuleCache(modules.directory(), properties.architecture(), compiler.moduleExtension(), modules.property(),
                kernel -> compiler.compile(kernel, properties.architecture()));
    }

    /**
     * Where compiled modules are kept.
     *
     * @param directory the directory
     * @param property the property that chooses it, named in error messages
     */
    public record ModuleDirectory(Path directory, String property) {
    }

    /**
     * Returns the device's name.
     *
     * @return the device
     */
    public Device device() {
        return device;
    }

    /** Makes this device current on the calling thread. */
    public void makeCurrent() {
        runtime.makeCurrent(device.index());
    }

    /**
     * Returns the stream that orders the device's work, for libraries that queue work on it (NCCL, RCCL).
     *
     * @return the vendor's stream handle
     */
    public MemorySegment stream() {
        return stream;
    }

    /**
     * Tells, without waiting, whether the stream has run everything queued on it so far.
     *
     * @return true when the stream is idle
     */
    public boolean isIdle() {
        makeCurrent();
        return runtime.isIdle(stream);
    }

    /**
     * Queues setting device memory to zero on the stream.
     *
     * @param address the first byte
     * @param bytes how many bytes
     */
    public void zero(long address, long bytes) {
        makeCurrent();
        runtime.zero(address, bytes, stream);
    }

    /**
     * Queues a copy from host memory on the stream.
     *
     * @param source the host memory
     * @param destination the device address
     */
    public void copyFromHost(MemorySegment source, long destination) {
        makeCurrent();
        runtime.copyFromHost(source, destination, stream);
    }

    /**
     * Copies device memory to the host after the stream's queued work and waits for the copy.
     *
     * @param address the first byte on the device
     * @param destination host memory of the size to copy
     */
    public void copyToHost(long address, MemorySegment destination) {
        makeCurrent();
        runtime.copyToHost(address, destination, stream);
        runtime.synchronize(stream);
    }

    /**
     * Queues a copy within this device on the stream.
     *
     * @param source the source address
     * @param destination the destination address
     * @param bytes how many bytes
     */
    public void copyWithin(long source, long destination, long bytes) {
        makeCurrent();
        runtime.copyWithin(source, destination, bytes, stream);
    }

    /**
     * Queues a copy to another device without blocking either host thread: the target's stream waits for an event
     * recorded after this stream's queued work, copies, and this stream waits for the copy before it reuses the source.
     *
     * @param source the source address on this device
     * @param target the destination's device
     * @param destination the destination address
     * @param bytes how many bytes
     */
    public void copyTo(long source, StreamDevice target, long destination, long bytes) {
        makeCurrent();
        MemorySegment sourceWritten = runtime.createEvent();
        try {
            runtime.recordEvent(sourceWritten, stream);
            target.makeCurrent();
            runtime.waitForEvent(target.stream, sourceWritten);
            runtime.copyPeer(source, device.index(), destination, target.device.index(), bytes, target.stream);
            MemorySegment copied = runtime.createEvent();
            try {
                runtime.recordEvent(copied, target.stream);
                makeCurrent();
                runtime.waitForEvent(stream, copied);
            } finally {
                runtime.destroyEvent(copied);
            }
        } finally {
            runtime.destroyEvent(sourceWritten);
        }
    }

    /**
     * Returns the vendor BLAS's GEMM on this device's stream, if the machine has the library; dot_general runs the
     * generated matmul kernel otherwise.
     *
     * @return the GEMM, or empty
     */
    public Optional<StridedBatchedGemm> gemm() {
        return blas.map(library -> call -> library.gemm(blasHandle(library), call));
    }

    private synchronized MemorySegment blasHandle(GpuBlas library) {
        makeCurrent();
        if (blasHandle == null) {
            blasHandle = library.createHandle(stream);
        }
        return blasHandle;
    }

    /**
     * Allocates a block on the stream from the cache or the device.
     *
     * @param bytes the request, may be 0
     * @return the block
     */
    public CachingAllocator.Block allocate(long bytes) {
        makeCurrent();
        return allocator.allocate(bytes);
    }

    /**
     * Returns a block to the cache; the stream orders its reuse after the work queued so far.
     *
     * @param block a block from {@link #allocate}
     */
    public void free(CachingAllocator.Block block) {
        allocator.free(block);
    }

    /**
     * Returns what the allocator holds and has done.
     *
     * @return a snapshot
     */
    public MemoryStats memoryStats() {
        return allocator.stats();
    }

    /**
     * Queues a generated kernel on the stream, compiling and loading it on its first launch on this device.
     *
     * @param kernel the kernel
     * @param work its loop's iteration count; nothing is launched for 0
     * @param arguments adds the arguments in parameter order
     */
    public void launch(GeneratedKernel kernel, long work, Consumer<KernelArguments> arguments) {
        if (work == 0) {
            return;
        }
        makeCurrent();
        MemorySegment function = function(kernel);
        LaunchConfiguration configuration = LaunchConfiguration.of(work, limits);
        try (Arena arena = Arena.ofConfined()) {
            KernelArguments packed = new KernelArguments(kernel, arena);
            arguments.accept(packed);
            runtime.launch(function, configuration, stream, packed.addressArray());
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
    public long launchReportingFault(GeneratedKernel kernel, long work, Consumer<KernelArguments> arguments) {
        if (work == 0) {
            return 0;
        }
        CachingAllocator.Block fault = allocate(Long.BYTES);
        try {
            zero(fault.address(), Long.BYTES);
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

    private synchronized MemorySegment function(GeneratedKernel kernel) {
        return functions.computeIfAbsent(kernel.sha256(), key -> {
            MemorySegment module = runtime.loadModule(modules.module(kernel));
            loadedModules.add(module);
            return runtime.function(module, kernel.entryPoint());
        });
    }

    /** Waits for the stream, then releases the BLAS handle, the cache, the modules, the stream and the device. */
    @Override
    public synchronized void close() {
        makeCurrent();
        runtime.synchronize(stream);
        if (blasHandle != null) {
            blas.orElseThrow().destroyHandle(blasHandle);
        }
        allocator.releaseCache();
        runtime.synchronize(stream);
        loadedModules.forEach(runtime::unloadModule);
        runtime.destroyStream(stream);
        runtime.close(device.index());
    }

    /**
     * The device's memory: ordered on its stream where the device has memory pools, else allocated and freed directly
     * (freeing then waits for the device's queued work).
     */
    private final class RuntimeMemory implements CachingAllocator.DeviceMemory {
        private final boolean pools;

        RuntimeMemory(boolean pools) {
            this.pools = pools;
        }

        @Override
        public long allocate(long bytes) {
            return pools ? runtime.allocateAsync(bytes, stream) : runtime.allocate(bytes);
        }

        @Override
        public void free(long address) {
            if (pools) {
                runtime.freeAsync(address, stream);
            } else {
                runtime.free(address);
            }
        }

        @Override
        public boolean isOutOfMemory(RuntimeException failure) {
            return runtime.isOutOfMemory(failure);
        }
    }
}
