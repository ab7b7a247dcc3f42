package dev.crossbar.backend.rocm;

import dev.crossbar.api.Device;
import dev.crossbar.backend.rocm.internal.ffi.NativeHip;
import dev.crossbar.backend.rocm.internal.ffi.NativeHiprtc;
import dev.crossbar.backend.rocm.internal.ffi.NativeRccl;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.backend.rocm.internal.ffi.NativeRocblas;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import dev.crossbar.spi.codegen.StreamBackend;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The ROCm backend: one {@link HipDevice} per GPU, work queued on each device's stream and read back with a
 * synchronizing copy. A copy between two GPUs records an event on the source's stream and makes the destination's
 * stream wait for it, so neither host thread blocks. Collectives between its GPUs go through RCCL when
 * {@code librccl.so.1} loads.
 */
final class RocmBackend extends StreamBackend<HipDevice> {
    private final NativeHip hip;

    RocmBackend(NativeHip hip, int deviceCount, NativeHiprtc hiprtc, Optional<NativeRocblas> rocblas, Path cacheDirectory) {
        super(RocmBackendProvider.NAME, openDevices(deviceCount, i -> new HipDevice(new Device(RocmBackendProvider.NAME, i), hip, hiprtc, rocblas,
                cacheDirectory)), KernelSet.of(RocmBackendProvider.NAME, ExecutionMode.EAGER, RocmKernels.instances()));
        this.hip = hip;
    }

    /** RCCL's collectives, loaded on first use; empty (the runtime's communicators) when RCCL is not installed. */
    @Override
    public Optional<CommunicatorFactory> communicators() {
        return ncclCommunicators(NativeRccl::open);
    }

    @Override
    protected void copyFromHost(HipDevice device, MemorySegment source, long destination) {
        hip.hipMemcpyHtoDAsync(destination, source, device.stream());
    }

    @Override
    protected void copyWithin(HipDevice device, long source, long destination, long byteCount) {
        hip.hipMemcpyDtoDAsync(destination, source, byteCount, device.stream());
    }

    @Override
    protected void copyBetween(HipDevice origin, long source, HipDevice target, long destination, long byteCount) {
        origin.makeCurrent();
        MemorySegment sourceWritten = hip.hipEventCreateWithFlags(NativeHip.EVENT_DISABLE_TIMING);
        try {
            hip.hipEventRecord(sourceWritten, origin.stream());
            target.makeCurrent();
            hip.hipStreamWaitEvent(target.stream(), sourceWritten);
            hip.hipMemcpyPeerAsync(destination, target.device().index(), source, origin.device().index(), byteCount, target.stream());
            // The source block may be reused by its own stream as soon as the copy is queued; order that stream after it.
            MemorySegment copied = hip.hipEventCreateWithFlags(NativeHip.EVENT_DISABLE_TIMING);
            hip.hipEventRecord(copied, target.stream());
            origin.makeCurrent();
            hip.hipStreamWaitEvent(origin.stream(), copied);
            hip.hipEventDestroy(copied);
        } finally {
            hip.hipEventDestroy(sourceWritten);
        }
    }
}
