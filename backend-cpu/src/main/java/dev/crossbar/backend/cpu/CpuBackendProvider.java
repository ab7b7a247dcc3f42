package dev.crossbar.backend.cpu;

import dev.crossbar.backend.cpu.kernel.CpuKernels;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Verification;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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

    /** Available with the devices {@link #create} makes, unless {@value #DEVICES_PROPERTY} is invalid. */
    @Override
    public Availability probe(BackendContext context) {
        Map<String, String> versions = new TreeMap<>();
        versions.put("java.vm.version", System.getProperty("java.vm.version", "unknown"));
        versions.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        try {
            return Availability.available(CpuBackend.devicesOf(deviceCount(context)), versions);
        } catch (IllegalArgumentException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, CpuKernels.CLASSES);
    }

    /**
     * Verified by the conformance kit in every build; only cpu's build runs the collective suite (CpuCollectiveTest,
     * eight virtual devices) and the FSDP suite (CpuFsdpTest, four virtual devices: FSDP, HSDP 2x2 and BF16 mixed
     * precision against single-device training).
     */
    @Override
    public Verification verification() {
        return new Verification("conformance kit, every build", true, true);
    }

    @Override
    public Backend create(BackendContext context) {
        return new CpuBackend(deviceCount(context));
    }

    /**
     * Reads the device count from {@value #DEVICES_PROPERTY}.
     *
     * @param context the configuration
     * @return the count, 1 when unset
     * @throws IllegalArgumentException if the value is not a whole number of at least 1
     */
    private static int deviceCount(BackendContext context) {
        Optional<String> setting = context.property(DEVICES_PROPERTY);
        if (setting.isEmpty()) {
            return 1;
        }
        String value = setting.get();
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
