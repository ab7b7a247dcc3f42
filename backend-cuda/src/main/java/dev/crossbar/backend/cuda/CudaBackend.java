package dev.crossbar.backend.cuda;

import dev.crossbar.api.Device;
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.backend.cuda.internal.ffi.NativeCudaDriver;
import dev.crossbar.backend.cuda.internal.ffi.NativeNvrtc;
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
 * The CUDA backend: one {@link CudaDevice} per GPU, work queued on each device's stream and read back with a
 * synchronizing copy. A copy between two GPUs records an event on the source's stream and makes the destination's
 * stream wait for it, so neither host thread blocks.
 */
final class CudaBackend implements Backend {
    private final NativeCudaDriver driver;
    private final List<CudaDevice> devices = new ArrayList<>();
    private final KernelSet kernels;

    CudaBackend(NativeCudaDriver driver, int deviceCount, Optional<NativeNvrtc> nvrtc, Optional<NativeCublas> cublas, Path cacheDirectory) {
        this.driver = driver;
        try {
            for (int i = 0; i < deviceCount; i++) {
                devices.add(new CudaDevice(new Device(CudaBackendProvider.NAME, i), driver, nvrtc, cublas, cacheDirectory));
            }
        } catch (RuntimeException e) {
            devices.forEach(CudaDevice::close);
            throw e;
        }
        this.kernels = KernelSet.of(CudaBackendProvider.NAME, ExecutionMode.EAGER, CudaKernels.instances());
    }

    @Override
    public String name() {
        return CudaBackendProvider.NAME;
    }

    @Override
    public List<Device> devices() {
        return devices.stream().map(CudaDevice::device).toList();
    }

    @Override
    public DeviceBuffer allocate(Device device, long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot allocate %d bytes on %s; the size must be >= 0", byteSize, device));
        }
        CudaDevice owner = deviceOf(device);
        return new CudaBuffer(owner, owner.allocate(byteSize), byteSize);
    }

    @Override
    public void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
        CudaBuffer to = own(destination);
        checkRange(to, destinationOffset, source.byteSize());
        if (source.byteSize() == 0) {
            return;
        }
        CudaDevice device = to.owner();
        device.makeCurrent();
        driver.cuMemcpyHtoDAsync(to.address() + destinationOffset, source, device.stream());
    }

    @Override
    public void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
        CudaBuffer from = own(source);
        checkRange(from, sourceOffset, destination.byteSize());
        if (destination.byteSize() == 0) {
            return;
        }
        from.owner().copyToHost(from.address() + sourceOffset, destination);
    }

    @Override
    public void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        CudaBuffer from = own(source);
        CudaBuffer to = own(destination);
        checkRange(from, sourceOffset, byteCount);
        checkRange(to, destinationOffset, byteCount);
        if (byteCount == 0) {
            return;
        }
        CudaDevice target = to.owner();
        CudaDevice origin = from.owner();
        if (origin == target) {
            target.makeCurrent();
            driver.cuMemcpyDtoDAsync(to.address() + destinationOffset, from.address() + sourceOffset, byteCount, target.stream());
            return;
        }
        origin.makeCurrent();
        MemorySegment sourceWritten = driver.cuEventCreate(NativeCudaDriver.EVENT_DISABLE_TIMING);
        try {
            driver.cuEventRecord(sourceWritten, origin.stream());
            target.makeCurrent();
            driver.cuStreamWaitEvent(target.stream(), sourceWritten);
            driver.cuMemcpyPeerAsync(to.address() + destinationOffset, target.context(), from.address() + sourceOffset, origin.context(), byteCount,
                    target.stream());
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
        devices.forEach(CudaDevice::close);
    }

    private CudaDevice deviceOf(Device device) {
        Objects.requireNonNull(device, "device is null");
        if (!device.backend().equals(CudaBackendProvider.NAME) || device.index() < 0 || device.index() >= devices.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Device %s is not one of this backend's devices %s", device, devices()));
        }
        return devices.get(device.index());
    }

    static CudaBuffer own(DeviceBuffer buffer) {
        if (buffer instanceof CudaBuffer cuda) {
            return cuda;
        }
        throw new IllegalArgumentException("Buffer " + buffer + " on " + buffer.device() + " was not allocated by the cuda backend; copy it through host memory");
    }

    private static void checkRange(CudaBuffer buffer, long offset, long byteCount) {
        if (offset < 0 || byteCount < 0 || offset + byteCount > buffer.byteSize()) {
            throw new IndexOutOfBoundsException(String.format(Locale.ROOT, "%d bytes at offset %d do not fit in %s", byteCount, offset, buffer));
        }
    }
}
