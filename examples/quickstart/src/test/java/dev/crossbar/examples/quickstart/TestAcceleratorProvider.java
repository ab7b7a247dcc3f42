package dev.crossbar.examples.quickstart;

import dev.crossbar.api.Device;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stands for another accelerator's jar: registered only in this module's test resources (META-INF/services), available,
 * and of higher priority than cpu. It holds no memory; the test only checks that it is selected.
 */
public final class TestAcceleratorProvider implements BackendProvider {
    static final String NAME = "testaccel";
    private static final List<Device> DEVICES = List.of(new Device(NAME, 0));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability probe(BackendContext context) {
        return Availability.available(DEVICES, Map.of());
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.none(ExecutionMode.EAGER);
    }

    @Override
    public Backend create(BackendContext context) {
        return new Backend() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public List<Device> devices() {
                return DEVICES;
            }

            @Override
            public DeviceBuffer allocate(Device device, long byteSize) {
                throw new UnsupportedOperationException("the test accelerator holds no memory");
            }

            @Override
            public void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
                throw new UnsupportedOperationException("the test accelerator holds no memory");
            }

            @Override
            public void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
                throw new UnsupportedOperationException("the test accelerator holds no memory");
            }

            @Override
            public void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
                throw new UnsupportedOperationException("the test accelerator holds no memory");
            }

            @Override
            public Optional<DeviceBuffer> wrapHostMemory(Device device, MemorySegment segment) {
                return Optional.empty();
            }

            @Override
            public KernelSet kernels() {
                return KernelSet.of(NAME, ExecutionMode.EAGER, List.of());
            }

            @Override
            public void close() {
                // Nothing to release.
            }
        };
    }
}
