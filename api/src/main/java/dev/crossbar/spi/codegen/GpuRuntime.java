package dev.crossbar.spi.codegen;

import java.lang.foreign.MemorySegment;

/**
 * The calls a GPU vendor's runtime makes for a {@link StreamDevice}: devices, streams, events, memory, copies, modules
 * and launches, one method a vendor function ({@code cuLaunchKernel}, {@code hipModuleLaunchKernel}, ...). A backend
 * implements it over its own {@code internal.ffi} bindings, so the code above it names no vendor symbol. Streams,
 * events, modules and functions are the vendor's opaque handles; device memory is an address. A call that takes a
 * stream is queued on it, and the stream's device must be current ({@link #makeCurrent}) when it is made. A failing
 * call throws the vendor's {@link dev.crossbar.spi.ffi.NativeCallException}, which carries the code's symbolic name.
 */
public interface GpuRuntime {
    /**
     * Returns the runtime's version, as its vendor prints it ({@code 13.0} for a CUDA driver, {@code 6.0.2} for HIP).
     *
     * @return the version
     */
    String version();

    /**
     * Counts the devices this process can use.
     *
     * @return the count, 0 when there are none
     */
    int deviceCount();

    /**
     * Prepares a device for this process (the CUDA driver retains its primary context), makes it current and returns
     * its properties.
     *
     * @param device the device's index
     * @return what shapes its launches, compilation and allocation
     */
    DeviceProperties open(int device);

    /**
     * Makes a device current on the calling thread, where the runtime keeps a current device per thread.
     *
     * @param device an opened device's index
     */
    void makeCurrent(int device);

    /**
     * Releases what {@link #open} acquired.
     *
     * @param device an opened device's index, whose streams are destroyed
     */
    void close(int device);

    /**
     * Creates a stream that does not synchronize with the legacy default stream.
     *
     * @return the stream
     */
    MemorySegment createStream();

    /**
     * Tells, without waiting, whether a stream has run everything queued on it so far.
     *
     * @param stream the stream
     * @return true when it is idle
     */
    boolean isIdle(MemorySegment stream);

    /**
     * Waits until a stream has run everything queued on it.
     *
     * @param stream the stream
     */
    void synchronize(MemorySegment stream);

    /**
     * Destroys a stream.
     *
     * @param stream the stream
     */
    void destroyStream(MemorySegment stream);

    /**
     * Creates an event for ordering only (no timing).
     *
     * @return the event
     */
    MemorySegment createEvent();

    /**
     * Queues recording an event on a stream: the event completes when the work queued before it has run.
     *
     * @param event the event
     * @param stream the stream
     */
    void recordEvent(MemorySegment event, MemorySegment stream);

    /**
     * Makes a stream's later work wait for an event, without blocking the host.
     *
     * @param stream the waiting stream
     * @param event a recorded event, possibly of another device's stream
     */
    void waitForEvent(MemorySegment stream, MemorySegment event);

    /**
     * Destroys an event; work that waits for it still does.
     *
     * @param event the event
     */
    void destroyEvent(MemorySegment event);

    /**
     * Allocates device memory ordered on a stream, where the device has memory pools ({@link DeviceProperties#memoryPools}).
     *
     * @param bytes the size
     * @param stream the stream that orders the allocation
     * @return the address
     */
    long allocateAsync(long bytes, MemorySegment stream);

    /**
     * Frees memory from {@link #allocateAsync} after the work queued on a stream so far.
     *
     * @param address the address
     * @param stream the stream
     */
    void freeAsync(long address, MemorySegment stream);

    /**
     * Allocates device memory on the current device, for devices without memory pools.
     *
     * @param bytes the size
     * @return the address
     */
    long allocate(long bytes);

    /**
     * Frees memory from {@link #allocate}; the runtime waits for the device's queued work first.
     *
     * @param address the address
     */
    void free(long address);

    /**
     * Tells whether a failure of an allocation means the device is out of memory (the allocator then frees its
     * cached blocks and retries).
     *
     * @param failure what an allocation threw
     * @return true for the vendor's out-of-memory code
     */
    boolean isOutOfMemory(RuntimeException failure);

    /**
     * Queues setting device memory to zero.
     *
     * @param address the first byte
     * @param bytes how many bytes
     * @param stream the stream
     */
    void zero(long address, long bytes, MemorySegment stream);

    /**
     * Queues a copy from host memory to the device.
     *
     * @param source the host memory, all of it copied
     * @param destination the device address
     * @param stream the stream
     */
    void copyFromHost(MemorySegment source, long destination, MemorySegment stream);

    /**
     * Queues a copy from the device to host memory; {@link #synchronize} waits for it.
     *
     * @param source the device address
     * @param destination the host memory, all of it written
     * @param stream the stream
     */
    void copyToHost(long source, MemorySegment destination, MemorySegment stream);

    /**
     * Queues a copy within one device.
     *
     * @param source the source address
     * @param destination the destination address
     * @param bytes how many bytes
     * @param stream the stream
     */
    void copyWithin(long source, long destination, long bytes, MemorySegment stream);

    /**
     * Queues a copy from one device to another.
     *
     * @param source the source address
     * @param sourceDevice the source's device index
     * @param destination the destination address
     * @param destinationDevice the destination's device index, whose stream this is
     * @param bytes how many bytes
     * @param stream the stream
     */
    void copyPeer(long source, int sourceDevice, long destination, int destinationDevice, long bytes, MemorySegment stream);

    /**
     * Loads a compiled module (PTX, a code object) onto the current device.
     *
     * @param image the compiler's output
     * @return the module
     */
    MemorySegment loadModule(byte[] image);

    /**
     * Finds a kernel in a loaded module.
     *
     * @param module the module
     * @param name the kernel's entry point
     * @return the function
     */
    MemorySegment function(MemorySegment module, String name);

    /**
     * Unloads a module.
     *
     * @param module the module
     */
    void unloadModule(MemorySegment module);

    /**
     * Queues a kernel on a stream with a one-dimensional grid and no dynamic shared memory.
     *
     * @param function the function
     * @param configuration the grid and block sizes
     * @param stream the stream
     * @param arguments the argument pointer array ({@link KernelArguments#addressArray()})
     */
    void launch(MemorySegment function, LaunchConfiguration configuration, MemorySegment stream, MemorySegment arguments);

    /**
     * What a device tells about itself.
     *
     * @param limits the limits that shape its launches
     * @param architecture what the compiler targets ({@code compute_90}, {@code gfx90a})
     * @param memoryPools whether it allocates ordered on streams ({@link #allocateAsync})
     */
    record DeviceProperties(LaunchConfiguration.DeviceLimits limits, String architecture, boolean memoryPools) {
    }
}
