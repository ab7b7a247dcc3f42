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
 * A backend of {@link StreamDevice}s whose memory is {@link StreamBuffer}s: the part of a GPU backend that does not
 * depend on the vendor (device lookup, allocation, range checks, read-back). A subclass queues the vendor's copies:
 * host to device, within a device and between two devices.
 *
 * @param <D> the backend's device type
 */
public abstract class StreamBackend<D extends StreamDevice> implements Backend {
    private final String name;
    private final List<D> devices;
    private final KernelSet kernels;
    private Optional<CommunicatorFactory> ncclCommunicators;

    /**
     * Creates the backend.
     *
     * @param name the backend's name, which its devices carry
     * @param devices its devices, index {@code i} at position {@code i}
     * @param kernels its kernels
     */
    protected StreamBackend(String name, List<D> devices, KernelSet kernels) {
        this.name = name;
        this.devices = List.copyOf(devices);
        this.kernels = kernels;
    }

    /**
     * Opens devices {@code 0..count-1}, closing the ones already open if one fails.
     *
     * @param count how many
     * @param open opens device {@code i}
     * @param <D> the device type
     * @return the devices
     */
    public static <D extends StreamDevice> List<D> openDevices(int count, IntFunction<D> open) {
        List<D> opened = new ArrayList<>();
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

    /**
     * Queues a copy from host memory to a device on its stream; the device is current.
     *
     * @param device the device
     * @param source the host memory
     * @param destination the device address
     */
    protected abstract void copyFromHost(D device, MemorySegment source, long destination);

    /**
     * Queues a copy within one device on its stream.
     *
     * @param device the device
     * @param source the source address
     * @param destination the destination address
     * @param byteCount more than 0
     */
    protected abstract void copyWithin(D device, long source, long destination, long byteCount);

    /**
     * Queues a copy between two devices, ordered after the source's queued work and before the source's next.
     *
     * @param origin the source's device
     * @param source the source address
     * @param target the destination's device
     * @param destination the destination address
     * @param byteCount more than 0
     */
    protected abstract void copyBetween(D origin, long source, D target, long destination, long byteCount);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<Device> devices() {
        return devices.stream().map(StreamDevice::device).toList();
    }

    @Override
    public final DeviceBuffer allocate(Device device, long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot allocate %d bytes on %s; the size must be >= 0", byteSize, device));
        }
        return new StreamBuffer(deviceOf(device), byteSize);
    }

    @Override
    public final void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
        StreamBuffer to = own(destination);
        to.checkRange(destinationOffset, source.byteSize());
        if (source.byteSize() == 0) {
            return;
        }
        D device = owner(to);
        device.makeCurrent();
        copyFromHost(device, source, to.address() + destinationOffset);
    }

    @Override
    public final void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
        StreamBuffer from = own(source);
        from.checkRange(sourceOffset, destination.byteSize());
        if (destination.byteSize() == 0) {
            return;
        }
        from.owner().copyToHost(from.address() + sourceOffset, destination);
    }

    @Override
    public final void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        StreamBuffer from = own(source);
        StreamBuffer to = own(destination);
        from.checkRange(sourceOffset, byteCount);
        to.checkRange(destinationOffset, byteCount);
        if (byteCount == 0) {
            return;
        }
        D origin = owner(from);
        D target = owner(to);
        if (origin == target) {
            target.makeCurrent();
            copyWithin(target, from.address() + sourceOffset, to.address() + destinationOffset, byteCount);
        } else {
            copyBetween(origin, from.address() + sourceOffset, target, to.address() + destinationOffset, byteCount);
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
    public final Optional<DeviceBuffer> wrapHostMemory(Device device, MemorySegment segment) {
        deviceOf(device);
        return Optional.empty();
    }

    @Override
    public final KernelSet kernels() {
        return kernels;
    }

    /**
     * Returns the caching allocators' statistics summed over the devices.
     *
     * @return the sums
     */
    @Override
    public final Optional<MemoryStats> memoryStats() {
        return Optional.of(devices.stream().map(StreamDevice::memoryStats).reduce(MemoryStats.NONE, MemoryStats::plus));
    }

    /**
     * Returns the collectives of an NCCL-API library ({@link NcclCommunicators}) over this backend's devices, opening
     * the library on the first call: a subclass's {@link #communicators()} calls it with its library's opener.
     *
     * @param open opens the vendor's library (NCCL, RCCL)
     * @return the factory, or empty when the library is not installed (the runtime's communicators then carry the
     *     collectives)
     */
    protected final synchronized Optional<CommunicatorFactory> ncclCommunicators(Supplier<NcclApi> open) {
        if (ncclCommunicators == null) {
            try {
                ncclCommunicators = Optional.of(new NcclCommunicators(open.get(), this::deviceOf));
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
    protected final D deviceOf(Device device) {
        Objects.requireNonNull(device, "device is null");
        if (!device.backend().equals(name) || device.index() < 0 || device.index() >= devices.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Device %s is not one of this backend's devices %s", device, devices()));
        }
        return devices.get(device.index());
    }

    private StreamBuffer own(DeviceBuffer buffer) {
        return StreamBuffer.own(buffer, name);
    }

    private D owner(StreamBuffer buffer) {
        return deviceOf(buffer.device());
    }
}
