package dev.crossbar.backend.rocm;

import dev.crossbar.backend.rocm.internal.ffi.HipError;
import dev.crossbar.backend.rocm.internal.ffi.HipException;
import dev.crossbar.backend.rocm.internal.ffi.NativeHip;
import dev.crossbar.spi.codegen.GpuRuntime;
import dev.crossbar.spi.codegen.LaunchConfiguration;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * The HIP runtime ({@code libamdhip64}) as a {@link GpuRuntime}: the current device is set per thread with
 * {@code hipSetDevice}; modules are AMDGPU code objects.
 */
final class HipRuntime implements GpuRuntime {
    private final NativeHip hip;

    HipRuntime(NativeHip hip) {
        this.hip = hip;
    }

    @Override
    public String version() {
        int version = hip.hipRuntimeGetVersion();
        return String.format(Locale.ROOT, "%d.%d.%d", version / 10_000_000, version / 100_000 % 100, version % 100_000);
    }

    @Override
    public int deviceCount() {
        return hip.hipGetDeviceCount();
    }

    @Override
    public DeviceProperties open(int device) {
        makeCurrent(device);
        LaunchConfiguration.DeviceLimits limits = new LaunchConfiguration.DeviceLimits(
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_THREADS_PER_BLOCK, device),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_GRID_DIM_X, device),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MULTIPROCESSOR_COUNT, device),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, device));
        return new DeviceProperties(limits, hip.gcnArchName(device), hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MEMORY_POOLS_SUPPORTED, device) != 0);
    }

    @Override
    public void makeCurrent(int device) {
        hip.hipSetDevice(device);
    }

    /** Nothing to release: HIP keeps no per-process device state that {@link #open} acquired. */
    @Override
    public void close(int device) {
    }

    @Override
    public MemorySegment createStream() {
        return hip.hipStreamCreateWithFlags(NativeHip.STREAM_NON_BLOCKING);
    }

    @Override
    public boolean isIdle(MemorySegment stream) {
        return hip.hipStreamQuery(stream);
    }

    @Override
    public void synchronize(MemorySegment stream) {
        hip.hipStreamSynchronize(stream);
    }

    @Override
    public void destroyStream(MemorySegment stream) {
        hip.hipStreamDestroy(stream);
    }

    @Override
    public MemorySegment createEvent() {
        return hip.hipEventCreateWithFlags(NativeHip.EVENT_DISABLE_TIMING);
    }

    @Override
    public void recordEvent(MemorySegment event, MemorySegment stream) {
        hip.hipEventRecord(event, stream);
    }

    @Override
    public void waitForEvent(MemorySegment stream, MemorySegment event) {
        hip.hipStreamWaitEvent(stream, event);
    }

    @Override
    public void destroyEvent(MemorySegment event) {
        hip.hipEventDestroy(event);
    }

    @Override
    public long allocateAsync(long bytes, MemorySegment stream) {
        return hip.hipMallocAsync(bytes, stream);
    }

    @Override
    public void freeAsync(long address, MemorySegment stream) {
        hip.hipFreeAsync(address, stream);
    }

    @Override
    public long allocate(long bytes) {
        return hip.hipMalloc(bytes);
    }

    @Override
    public void free(long address) {
        hip.hipFree(address);
    }

    @Override
    public boolean isOutOfMemory(RuntimeException failure) {
        return failure instanceof HipException e && e.code() == HipError.HIP_ERROR_OUT_OF_MEMORY;
    }

    @Override
    public void zero(long address, long bytes, MemorySegment stream) {
        hip.hipMemsetD8Async(address, (byte) 0, bytes, stream);
    }

    @Override
    public void copyFromHost(MemorySegment source, long destination, MemorySegment stream) {
        hip.hipMemcpyHtoDAsync(destination, source, stream);
    }

    @Override
    public void copyToHost(long source, MemorySegment destination, MemorySegment stream) {
        hip.hipMemcpyDtoHAsync(destination, source, stream);
    }

    @Override
    public void copyWithin(long source, long destination, long bytes, MemorySegment stream) {
        hip.hipMemcpyDtoDAsync(destination, source, bytes, stream);
    }

    @Override
    public void copyPeer(long source, int sourceDevice, long destination, int destinationDevice, long bytes, MemorySegment stream) {
        hip.hipMemcpyPeerAsync(destination, destinationDevice, source, sourceDevice, bytes, stream);
    }

    @Override
    public MemorySegment loadModule(byte[] image) {
        try (Arena arena = Arena.ofConfined()) {
            return hip.hipModuleLoadData(arena.allocateFrom(ValueLayout.JAVA_BYTE, image));
        }
    }

    @Override
    public MemorySegment function(MemorySegment module, String name) {
        return hip.hipModuleGetFunction(module, name);
    }

    @Override
    public void unloadModule(MemorySegment module) {
        hip.hipModuleUnload(module);
    }

    @Override
    public void launch(MemorySegment function, LaunchConfiguration configuration, MemorySegment stream, MemorySegment arguments) {
        hip.hipModuleLaunchKernel(function, configuration.gridSize(), configuration.blockSize(), stream, arguments);
    }
}
