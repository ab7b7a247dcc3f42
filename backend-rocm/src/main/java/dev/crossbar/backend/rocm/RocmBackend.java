package dev.crossbar.backend.rocm;

import dev.crossbar.api.Device;
import dev.crossbar.backend.rocm.internal.ffi.NativeHip;
import dev.crossbar.backend.rocm.internal.ffi.NativeHiprtc;
import dev.crossbar.backend.rocm.internal.ffi.NativeRocblas;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The ROCm backend: one {@link HipDevice} per GPU, work queued on each device's stream and read back with a
 * synchronizing copy. A copy between two GPUs records an event on the source's stream and makes the destination's
 * stream wait for it, so neither host thread blocks.
 */
final class RocmBackend implements Backend {
    private final NativeHip hip;
    private final List<HipDevice> devices = new ArrayList<>();
    private final KernelSet kernels;

    RocmBackend(NativeHip hip, int deviceCount, NativeHiprtc hiprtc, Optional<NativeRocblas> rocblas, Path cacheDirectory) {
        this.hip = hip;
        try {
            for (int i = 0; i < deviceCount; i++) {
                devices.add(new HipDevice(new Device(RocmBackendProvider.NAME, i), hip, hiprtc, rocblas, cacheDirectory));
            }
        } catch (RuntimeException e) {
            devices.forEach(HipDevice::close);
            throw e;
        }
        this.kernels = KernelSet.of(RocmBackendProvider.NAME, ExecutionMode.EAGER, RocmKernels.instances());
    }

    @Override
    public String name() {
        return RocmBackendProvider.NAME;
    }

    @Override
    public List<Device> devices() {
        return devices.stream().map(HipDevice::device).toList();
    }

    @Override
    public DeviceBuffer allocate(Device device, long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot allocate %d bytes on %s; the size must be >= 0", byteSize, device));
        }
        HipDevice owner = deviceOf(device);
        return new RocmBuffer(owner, owner.allocate(byteSize), byteSize);
    }

    @Override
    public void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
        RocmBuffer to = own(destination);
        checkRange(to, destinationOffset, source.byteSize());
        if (source.byteSize() == 0) {
            return;
        }
        HipDevice device = to.owner();
        device.makeCurrent();
        hip.hipMemcpyHtoDAsync(to.address() + destinationOffset, source, device.stream());
    }

    @Override
    public void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
        RocmBuffer from = own(source);
        checkRange(from, sourceOffset, destination.byteSize());
        if (destination.byteSize() == 0) {
            return;
        }
        from.owner().copyToHost(from.address() + sourceOffset, destination);
    }

    @Override
    public void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        RocmBuffer from = own(source);
        RocmBuffer to = own(destination);
        checkRange(from, sourceOffset, byteCount);
        checkRange(to, destinationOffset, byteCount);
        if (byteCount == 0) {
            return;
        }
        HipDevice target = to.owner();
        HipDevice origin = from.owner();
        if (origin == target) {
            target.makeCurrent();
            hip.hipMemcpyDtoDAsync(to.address() + destinationOffset, from.address() + sourceOffset, byteCount, target.stream());
            return;
        }
        origin.makeCurrent();
        MemorySegment sourceWritten = hip.hipEventCreateWithFlags(NativeHip.EVENT_DISABLE_TIMING);
        try {
            hip.hipEventRecord(sourceWritten, origin.stream());
            target.makeCurrent();
            hip.hipStreamWaitEvent(target.stream(), sourceWritten);
            hip.hipMemcpyPeerAsync(to.address() + destinationOffset, target.device().index(), from.address() + sourceOffset, origin.device().index(),
                    byteCount, target.stream());
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

    @Override
    public Optional<DeviceBuffer> wrapHostMemory(Device device, MemorySegment segment) {
        deviceOf(device);
        return Optional.empty();
    }

    @Override
    public KernelSet kernels() {
        return kernels;
    }

    @Override
    public void close() {
        devices.forEach(HipDevice::close);
    }

    private HipDevice deviceOf(Device device) {
        Objects.requireNonNull(device, "device is null");
        if (!device.backend().equals(RocmBackendProvider.NAME) || device.index() < 0 || device.index() >= devices.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Device %s is not one of this backend's devices %s", device, devices()));
        }
        return devices.get(device.index());
    }

    static RocmBuffer own(DeviceBuffer buffer) {
        if (buffer instanceof RocmBuffer rocm) {
            return rocm;
        }
        throw new IllegalArgumentException("Buffer " + buffer + " on " + buffer.device() + " was not allocated by the rocm backend; copy it through host memory");
    }

    private static void checkRange(RocmBuffer buffer, long offset, long byteCount) {
        if (offset < 0 || byteCount < 0 || offset + byteCount > buffer.byteSize()) {
            throw new IndexOutOfBoundsException(String.format(Locale.ROOT, "%d bytes at offset %d do not fit in %s", byteCount, offset, buffer));
        }
    }
}
