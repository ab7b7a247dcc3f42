package dev.crossbar.backend.cuda;

import dev.crossbar.api.Device;
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.backend.cuda.internal.ffi.NativeCudaDriver;
import dev.crossbar.backend.cuda.internal.ffi.NativeNccl;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.backend.cuda.internal.ffi.NativeNvrtc;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import dev.crossbar.spi.codegen.StreamBackend;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The CUDA backend: one {@link CudaDevice} per GPU, work queued on each device's stream and read back with a
 * synchronizing copy. A copy between two GPUs records an event on the source's stream and makes the destination's
 * stream wait for it, so neither host thread blocks. Collectives between its GPUs go through NCCL when
 * {@code libnccl.so.2} loads.
 */
final class CudaBackend extends StreamBackend<CudaDevice> {
    private final NativeCudaDriver driver;

    CudaBackend(NativeCudaDriver driver, int deviceCount, Optional<NativeNvrtc> nvrtc, Optional<NativeCublas> cublas, Path cacheDirectory) {
        super(CudaBackendProvider.NAME, openDevices(deviceCount, i -> new CudaDevice(new Device(CudaBackendProvider.NAME, i), driver, nvrtc, cublas,
                cacheDirectory)), KernelSet.of(CudaBackendProvider.NAME, ExecutionMode.EAGER, CudaKernels.instances()));
        this.driver = driver;
    }

    /** NCCL's collectives, loaded on first use; empty (the runtime's communicators) when NCCL is not installed. */
    @Override
    public Optional<CommunicatorFactory> communicators() {
        return ncclCommunicators(NativeNccl::open);
    }

    @Override
    protected void copyFromHost(CudaDevice device, MemorySegment source, long destination) {
        driver.cuMemcpyHtoDAsync(destination, source, device.stream());
    }

    @Override
    protected void copyWithin(CudaDevice device, long source, long destination, long byteCount) {
        driver.cuMemcpyDtoDAsync(destination, source, byteCount, device.stream());
    }

    @Override
    protected void copyBetween(CudaDevice origin, long source, CudaDevice target, long destination, long byteCount) {
        origin.makeCurrent();
        MemorySegment sourceWritten = driver.cuEventCreate(NativeCudaDriver.EVENT_DISABLE_TIMING);
        try {
            driver.cuEventRecord(sourceWritten, origin.stream());
            target.makeCurrent();
            driver.cuStreamWaitEvent(target.stream(), sourceWritten);
            driver.cuMemcpyPeerAsync(destination, target.context(), source, origin.context(), byteCount, target.stream());
            // The source block may be reused by its own stream as soon as the copy is queued; order that stream after it.
            MemorySegment copied = driver.cuEventCreate(NativeCudaDriver.EVENT_DISABLE_TIMING);
            driver.cuEventRecord(copied, target.stream());
            origin.makeCurrent();
            driver.cuStreamWaitEvent(origin.stream(), copied);
            driver.cuEventDestroy(copied);
        } finally {
            driver.cuEventDestroy(sourceWritten);
        }
    }
}
