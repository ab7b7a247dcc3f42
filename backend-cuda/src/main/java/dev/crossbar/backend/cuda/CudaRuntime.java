package dev.crossbar.backend.cuda;

import dev.crossbar.backend.cuda.internal.ffi.CuResult;
import dev.crossbar.backend.cuda.internal.ffi.CudaException;
import dev.crossbar.backend.cuda.internal.ffi.NativeCudaDriver;
import dev.crossbar.spi.codegen.GpuRuntime;
import dev.crossbar.spi.codegen.LaunchConfiguration;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CUDA driver API as a {@link GpuRuntime}: each device runs in its primary context, retained by {@link #open} and
 * made current per thread; modules are PTX, which the driver compiles for the device when it loads them.
 */
final class CudaRuntime implements GpuRuntime {
    private final NativeCudaDriver driver;
    private final Map<Integer, MemorySegment> contexts = new ConcurrentHashMap<>();

    CudaRuntime(NativeCudaDriver driver) {
        this.driver = driver;
    }

    @Override
    public String version() {
        int version = driver.cuDriverGetVersion();
        return String.format(Locale.ROOT, "%d.%d", version / 1000, version % 1000 / 10);
    }

    /** Initializes the driver ({@code cuInit}, which may be called again) and counts its devices. */
    @Override
    public int deviceCount() {
        driver.cuInit(0);
        return driver.cuDeviceGetCount();
    }

    @Override
    public DeviceProperties open(int device) {
        int cuDevice = driver.cuDeviceGet(device);
        LaunchConfiguration.DeviceLimits limits = new LaunchConfiguration.DeviceLimits(
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_THREADS_PER_BLOCK, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_GRID_DIM_X, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MULTIPROCESSOR_COUNT, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, cuDevice));
        String architecture = String.format(Locale.ROOT, "compute_%d%d",
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, cuDevice));
        boolean pools = driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MEMORY_POOLS_SUPPORTED, cuDevice) != 0;
        contexts.put(device, driver.cuDevicePrimaryCtxRetain(cuDevice));
        makeCurrent(device);
        return new DeviceProperties(limits, architecture, pools);
    }

    @Override
    public void makeCurrent(int device) {
        driver.cuCtxSetCurrent(contexts.get(device));
    }

    @Override
    public void close(int device) {
        contexts.remove(device);
        driver.cuDevicePrimaryCtxRelease(driver.cuDeviceGet(device));
    }

    @Override
    public MemorySegment createStream() {
        return driver.cuStreamCreate(NativeCudaDriver.STREAM_NON_BLOCKING);
    }

    @Override
    public boolean isIdle(MemorySegment stream) {
        return driver.cuStreamQuery(stream);
    }

    @Override
    public void synchronize(MemorySegment stream) {
        driver.cuStreamSynchronize(stream);
    }

    @Override
    public void destroyStream(MemorySegment stream) {
        driver.cuStreamDestroy(stream);
    }

    @Override
    public MemorySegment createEvent() {
        return driver.cuEventCreate(NativeCudaDriver.EVENT_DISABLE_TIMING);
    }

    @Override
    public void recordEvent(MemorySegment event, MemorySegment stream) {
        driver.cuEventRecord(event, stream);
    }

    @Override
    public void waitForEvent(MemorySegment stream, MemorySegment event) {
        driver.cuStreamWaitEvent(stream, event);
    }

    @Override
    public void destroyEvent(MemorySegment event) {
        driver.cuEventDestroy(event);
    }

    @Override
    public long allocateAsync(long bytes, MemorySegment stream) {
        return driver.cuMemAllocAsync(bytes, stream);
    }

    @Override
    public void freeAsync(long address, MemorySegment stream) {
        driver.cuMemFreeAsync(address, stream);
    }

    @Override
    public long allocate(long bytes) {
        return driver.cuMemAlloc(bytes);
    }

    @Override
    public void free(long address) {
        driver.cuMemFree(address);
    }

    @Override
    public boolean isOutOfMemory(RuntimeException failure) {
        return failure instanceof CudaException e && e.code() == CuResult.CUDA_ERROR_OUT_OF_MEMORY;
    }

    @Override
    public void zero(long address, long bytes, MemorySegment stream) {
        driver.cuMemsetD8Async(address, (byte) 0, bytes, stream);
    }

    @Override
    public void copyFromHost(MemorySegment source, long destination, MemorySegment stream) {
        driver.cuMemcpyHtoDAsync(destination, source, stream);
    }

    @Override
    public void copyToHost(long source, MemorySegment destination, MemorySegment stream) {
        driver.cuMemcpyDtoHAsync(destination, source, stream);
    }

    @Override
    public void copyWithin(long source, long destination, long bytes, MemorySegment stream) {
        driver.cuMemcpyDtoDAsync(destination, source, bytes, stream);
    }

    @Override
    public void copyPeer(long source, int sourceDevice, long destination, int destinationDevice, long bytes, MemorySegment stream) {
        driver.cuMemcpyPeerAsync(destination, contexts.get(destinationDevice), source, contexts.get(sourceDevice), bytes, stream);
    }

    /** Loads PTX, which the driver reads as a NUL-terminated string. */
    @Override
    public MemorySegment loadModule(byte[] image) {
        try (Arena arena = Arena.ofConfined()) {
            return driver.cuModuleLoadData(arena.allocateFrom(new String(image, StandardCharsets.UTF_8)));
        }
    }

    @Override
    public MemorySegment function(MemorySegment module, String name) {
        return driver.cuModuleGetFunction(module, name);
    }

    @Override
    public void unloadModule(MemorySegment module) {
        driver.cuModuleUnload(module);
    }

    @Override
    public void launch(MemorySegment function, LaunchConfiguration configuration, MemorySegment stream, MemorySegment arguments) {
        driver.cuLaunchKernel(function, configuration.gridSize(), configuration.blockSize(), stream, arguments);
    }
}
