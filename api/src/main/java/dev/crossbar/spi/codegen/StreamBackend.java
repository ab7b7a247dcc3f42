package dev.crossbar.spi.codegen;

import dev.crossbar.api.Device;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.KernelSet;
import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NcclApi;
import dev.crossbar.spi.memory.MemoryStats;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A GPU backend: {@link StreamDevice}s over one vendor's {@link GpuRuntime}, whose memory is {@link StreamBuffer}s
 * (device lookup, allocation, range checks, copies on the devices' streams, read-back) and whose collectives are an
 * NCCL-API library's ({@link NcclCommunicators}). A vendor configures it ({@link GpuBackendProvider}); nothing here
 * names a vendor's function.
 */
public final class StreamBackend implements Backend {
    private final String name;
    private final List<StreamDevice> devices;
    private final KernelSet kernels;
    private final Supplier<NcclApi> collectives;
    private Optional<CommunicatorFactory> ncclCommunicators;

    /**
     * Creates the backend.
     *
     * @param name the backend's name, which its devices carry
     * @param devices its devices, index {@code i} at position {@code i}
     * @param kernels its kernels
     * @param collectives opens the vendor's NCCL-API library (NCCL, RCCL) on the first {@link #communicators()} call,
     *     throwing {@link LibraryUnavailableException} when it is not installed
     */
    public StreamBackend(String name, List<StreamDevice> devices, KernelSet kernels, Supplier<NcclApi> collectives) {
        this.name = name;
        this.devices = List.copyOf(devices);
        this.kernels = kernels;
        this.collectives = collectives;
    }

    /**
     * Opens devices {@code 0..count-1}, closing the ones already open if one fails.
     *
     * @param count how many
     * @param open opens device {@code i}
     * @return the devices
     */
    public static List<StreamDevice> openDevices(int count, IntFunction<StreamDevice> open) {
        List<StreamDevice> opened = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                opened.add(open.apply(i));
            }
        } catch (RuntimeException e) {
            opened.forEach(StreamDevice::close);
            throw e;
        }
        return opened;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Device> devices() {
        return devices.stream().map(StreamDevice::device).toList();
    }

    @Override
    public DeviceBuffer allocate(Device device, long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot allocate %d bytes on %s; the size must be >= 0", byteSize, device));
        }
        return new StreamBuffer(deviceOf(device), byteSize);
    }

    @Override
    public void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
        StreamBuffer to = own(destination);
        to.checkRange(destinationOffset, source.byteSize());
        if (source.byteSize() == 0) {
            return;
        }
        owner(to).copyFromHost(source, to.address() + destinationOffset);
    }

    @Override
    public void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
        StreamBuffer from = own(source);
        from.checkRange(sourceOffset, destination.byteSize());
        if (destination.byteSize() == 0) {
            return;
        }
        from.owner().copyToHost(from.address() + sourceOffset, destination);
    }

    @Override
    public void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        StreamBuffer from = own(source);
        StreamBuffer to = own(destination);
        from.checkRange(sourceOffset, byteCount);
        to.checkRange(destinationOffset, byteCount);
        if (byteCount == 0) {
            return;
        }
        StreamDevice origin = owner(from);
        StreamDevice target = owner(to);
        if (origin == target) {
            target.copyWithin(from.address() + sourceOffset, to.address() + destinationOffset, byteCount);
        } else {
            origin.copyTo(from.address() + sourceOffset, target, to.address() + destinationOffset, byteCount);
        }
    }

    /**
     * Returns nothing: device memory cannot alias host memory here.
     *
     * @param device one of this backend's devices
     * @param segment the host memory
     * @return empty
     */
    @Override
    public Optional<DeviceBuffer> wrapHostMemory(Device device, MemorySegment segment) {
        deviceOf(device);
        return Optional.empty();
    }

    @Override
    public KernelSet kernels() {
        return kernels;
    }

    /**
     * Returns the caching allocators' statistics summed over the devices.
     *
     * @return the sums
     */
    @Override
    public Optional<MemoryStats> memoryStats() {
        return Optional.of(devices.stream().map(StreamDevice::memoryStats).reduce(MemoryStats.NONE, MemoryStats::plus));
    }

    /**
     * Returns the collectives of the vendor's NCCL-API library over this backend's devices, opening the library on the
     * first call.
     *
     * @return the factory, or empty when the library is not installed (the runtime's communicators then carry the
     *     collectives)
     */
    @Override
    public synchronized Optional<CommunicatorFactory> communicators() {
        if (ncclCommunicators == null) {
            try {
                ncclCommunicators = Optional.of(new NcclCommunicators(collectives.get(), this::deviceOf));
            } catch (LibraryUnavailableException e) {
                ncclCommunicators = Optional.empty();
            }
        }
        return ncclCommunicators;
    }

    /** Closes every device. */
    @Override
    public void close() {
        devices.forEach(StreamDevice::close);
    }

    /**
     * Returns the device with a name.
     *
     * @param device one of this backend's devices
     * @return the device
     * @throws IllegalArgumentException if it is not one of this backend's
     */
    StreamDevice deviceOf(Device device) {
        Objects.requireNonNull(device, "device is null");
        if (!device.backend().equals(name) || device.index() < 0 || device.index() >= devices.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Device %s is not one of this backend's devices %s", device, devices()));
        }
        return devices.get(device.index());
    }

    private StreamBuffer own(DeviceBuffer buffer) {
        return StreamBuffer.own(buffer, name);
    }

    private StreamDevice owner(StreamBuffer buffer) {
        return deviceOf(buffer.device());
    }
}
