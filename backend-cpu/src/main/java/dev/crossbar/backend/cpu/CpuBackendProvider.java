package dev.crossbar.backend.cpu;

import dev.crossbar.backend.cpu.kernel.CpuKernels;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Provides the cpu backend, Crossbar's reference and embedded default: always available, lowest priority, with
 * {@value #DEVICES_PROPERTY} virtual devices (default 1) so that SPMD code runs unchanged on one machine.
 */
public final class CpuBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "cpu";

    /** The property giving the number of virtual devices, {@code cpu:0} to {@code cpu:N-1}. */
    public static final String DEVICES_PROPERTY = "crossbar.cpu.devices";

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** Creates the provider; does no work, as {@link java.util.ServiceLoader} requires. */
    public CpuBackendProvider() {
    }

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
        return 0;
    }

    /** Always available; the device count comes from the system property {@value #DEVICES_PROPERTY}, as probe has no context. */
    @Override
    public Availability probe() {
        Map<String, String> versions = new TreeMap<>();
        versions.put("java.vm.version", System.getProperty("java.vm.version", "unknown"));
        versions.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        versions.put(VECTOR_MODULE, ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()
                ? "present" : "absent (add --add-modules " + VECTOR_MODULE + ")");
        try {
            return Availability.available(CpuBackend.devicesOf(deviceCount(System.getProperty(DEVICES_PROPERTY))), versions);
        } catch (IllegalArgumentException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, CpuKernels.CLASSES);
    }

    @Override
    public Backend create(BackendContext context) {
        return new CpuBackend(deviceCount(context.property(DEVICES_PROPERTY).orElse(null)));
    }

    /**
     * Reads the device count.
     *
     * @param value the property's value, or null when unset
     * @return the count, 1 when unset
     * @throws IllegalArgumentException if the value is not a whole number of at least 1
     */
    static int deviceCount(String value) {
        if (value == null) {
            return 1;
        }
        int count;
        try {
            count = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw invalidDeviceCount(value, e);
        }
        if (count < 1) {
            throw invalidDeviceCount(value, null);
        }
        return count;
    }

    private static IllegalArgumentException invalidDeviceCount(String value, NumberFormatException cause) {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "%s must be a whole number >= 1, got '%s'; set it to the number of virtual cpu devices (for example -D%s=4), or unset it for one device",
                DEVICES_PROPERTY, value, DEVICES_PROPERTY), cause);
    }
}
