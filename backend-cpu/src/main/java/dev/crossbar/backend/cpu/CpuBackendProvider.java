package dev.crossbar.backend.cpu;

import dev.crossbar.backend.cpu.kernel.CpuKernels;
import dev.crossbar.backend.cpu.kernel.MatmulLibraries;
import dev.crossbar.backend.cpu.kernel.MatmulPath;
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
 * {@value #DEVICES_PROPERTY} virtual devices (default 1) so that SPMD code runs unchanged on one machine. Its matrix
 * product takes the path {@value #MATMUL_PROPERTY} names ({@code auto}, {@code java}, {@code openblas} or
 * {@code onednn}), read from the context, else from the system property, else {@code auto}; the probe lists what each
 * path found.
 */
public final class CpuBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "cpu";

    /** The property giving the number of virtual devices, {@code cpu:0} to {@code cpu:N-1}. */
    public static final String DEVICES_PROPERTY = "crossbar.cpu.devices";

    /** The property forcing a matrix-product path; see {@link MatmulPath}. */
    public static final String MATMUL_PROPERTY = MatmulPath.PROPERTY;

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

    /**
     * Available with the devices {@link #create} makes, unless {@value #DEVICES_PROPERTY} or {@value #MATMUL_PROPERTY}
     * is invalid or the latter forces a path whose library is absent. The versions name each matmul path's library or
     * why it is absent, and the path chosen.
     */
    @Override
    public Availability probe(BackendContext context) {
        Map<String, String> versions = new TreeMap<>();
        versions.put("java.vm.version", System.getProperty("java.vm.version", "unknown"));
        versions.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        versions.putAll(MatmulLibraries.describe());
        try {
            MatmulPath path = matmulPath(context);
            versions.put("matmul", path.propertyValue());
            Optional<String> missing = MatmulLibraries.unavailable(path);
            if (missing.isPresent()) {
                return Availability.unavailable(String.format(Locale.ROOT, "%s=%s, but %s; set it to auto to use what is present",
                        MATMUL_PROPERTY, path.propertyValue(), missing.get()), versions);
            }
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
        return new CpuBackend(deviceCount(context), matmulPath(context));
    }

    /**
     * Reads the matrix-product path from {@value #MATMUL_PROPERTY}: the context's setting, else the system property.
     *
     * @param context the configuration
     * @return the path, {@link MatmulPath#AUTO} when unset
     * @throws IllegalArgumentException if the value names no path
     */
    private static MatmulPath matmulPath(BackendContext context) {
        return context.property(MATMUL_PROPERTY).or(() -> Optional.ofNullable(System.getProperty(MATMUL_PROPERTY)))
                .filter(value -> !value.isBlank()).map(MatmulPath::parse).orElse(MatmulPath.AUTO);
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
