package dev.crossbar.spi.codegen;

import dev.crossbar.api.Device;
import dev.crossbar.spi.memory.CachingAllocator;
import dev.crossbar.spi.memory.MemoryStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One accelerator that runs {@link GeneratedKernel}s in order on one stream, with a {@link CachingAllocator} over that
 * stream's memory: the part of a GPU backend's device that does not depend on the vendor. A subclass binds the vendor's
 * runtime (make the device current, load a compiled kernel, launch it, set and read memory); this class packs
 * arguments, picks the launch configuration, caches loaded kernels by source hash and allocates.
 */
public abstract class StreamDevice implements AutoCloseable {
    private final Device device;
    private final LaunchConfiguration.DeviceLimits limits;
    private final CachingAllocator allocator;
    private final Map<String, MemorySegment> functions = new HashMap<>();

    /**
     * Creates the device.
     *
     * @param device the device's name
     * @param limits the limits that shape its launches
     * @param memory the raw memory of its stream
     */
    protected StreamDevice(Device device, LaunchConfiguration.DeviceLimits limits, CachingAllocator.DeviceMemory memory) {
        this.device = device;
        this.limits = limits;
        this.allocator = new CachingAllocator(memory);
    }

    /**
     * Returns the device's name.
     *
     * @return the device
     */
    public final Device device() {
        return device;
    }

    /** Makes this device current on the calling thread, where the vendor's runtime keeps a current device. */
    public abstract void makeCurrent();

    /**
     * Returns the stream that orders the device's work, for libraries that queue work on it (NCCL, RCCL).
     *
     * @return the {@code CUstream} or {@code hipStream_t}
     */
    public abstract MemorySegment stream();

    /**
     * Tells, without waiting, whether the stream has run everything queued on it so far ({@code cuStreamQuery},
     * {@code hipStreamQuery}).
     *
     * @return true when the stream is idle
     */
    public abstract boolean isIdle();

    /**
     * Compiles (or finds compiled) and loads a kernel; called once per distinct kernel source.
     *
     * @param kernel the kernel
     * @return the loaded function's handle
     */
    protected abstract MemorySegment loadFunction(GeneratedKernel kernel);

    /**
     * Queues a loaded function on the stream; the device is current.
     *
     * @param function a handle from {@link #loadFunction}
     * @param configuration the grid and block sizes
     * @param arguments the argument pointer array ({@link KernelArguments#addressArray()})
     */
    protected abstract void launchFunction(MemorySegment function, LaunchConfiguration configuration, MemorySegment arguments);

    /**
     * Queues setting device memory to zero on the stream; the device is current.
     *
     * @param address the first byte
     * @param bytes how many bytes
     */
    public abstract void zero(long address, long bytes);

    /**
     * Returns the vendor BLAS's GEMM on this device's stream, if the machine has the library; dot_general runs the
     * generated matmul kernel otherwise.
     *
     * @return the GEMM, or empty
     */
    public Optional<StridedBatchedGemm> gemm() {
        return Optional.empty();
    }

    /**
     * Copies device memory to the host after the stream's queued work and waits for the copy.
     *
     * @param address the first byte on the device
     * @param destination host memory of the size to copy
     */
    public abstract void copyToHost(long address, MemorySegment destination);

    /**
     * Allocates a block on the stream from the cache or the device.
     *
     * @param bytes the request, may be 0
     * @return the block
     */
    public final CachingAllocator.Block allocate(long bytes) {
        makeCurrent();
        return allocator.allocate(bytes);
    }

    /**
     * Returns a block to the cache; the stream orders its reuse after the work queued so far.
     *
     * @param block a block from {@link #allocate}
     */
    public final void free(CachingAllocator.Block block) {
        allocator.free(block);
    }

    /**
     * Returns what the allocator holds and has done.
     *
     * @return a snapshot
     */
    public final MemoryStats memoryStats() {
        return allocator.stats();
    }

    /** Returns every cached block to the device; a subclass's {@link #close} calls it after waiting for the stream. */
    protected final void releaseCache() {
        makeCurrent();
        allocator.releaseCache();
    }

    /**
     * Queues a generated kernel on the stream.
     *
     * @param kernel the kernel
     * @param work its loop's iteration count; nothing is launched for 0
     * @param arguments adds the arguments in parameter order
     */
    public final void launch(GeneratedKernel kernel, long work, Consumer<KernelArguments> arguments) {
        if (work == 0) {
            return;
        }
        makeCurrent();
        MemorySegment function = function(kernel);
        LaunchConfiguration configuration = LaunchConfiguration.of(work, limits);
        try (Arena arena = Arena.ofConfined()) {
            KernelArguments packed = new KernelArguments(kernel, arena);
            arguments.accept(packed);
            launchFunction(function, configuration, packed.addressArray());
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
    public final long launchReportingFault(GeneratedKernel kernel, long work, Consumer<KernelArguments> arguments) {
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
        return functions.computeIfAbsent(kernel.sha256(), key -> loadFunction(kernel));
    }

    @Override
    public abstract void close();
}
