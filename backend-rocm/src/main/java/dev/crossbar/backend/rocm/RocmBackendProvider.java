package dev.crossbar.backend.rocm;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.rocm.internal.ffi.HipException;
import dev.crossbar.backend.rocm.internal.ffi.LibraryUnavailableException;
import dev.crossbar.backend.rocm.internal.ffi.NativeHip;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Verification;
import java.lang.module.ModuleDescriptor;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;

/** Provides the ROCm backend; its probe asks the HIP runtime for its version and device count. */
public final class RocmBackendProvider implements BackendProvider {
    static final String NAME = "rocm";

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
        return 90;
    }

    @Override
    public Availability probe(BackendContext context) {
        Map<String, String> versions = new TreeMap<>();
        try {
            NativeHip hip = NativeHip.open();
            int runtimeVersion = hip.hipRuntimeGetVersion();
            versions.put("hip.runtime", String.format(Locale.ROOT, "%d.%d.%d",
                    runtimeVersion / 10_000_000, runtimeVersion / 100_000 % 100, runtimeVersion % 100_000));
            int count = hip.hipGetDeviceCount();
            if (count == 0) {
                return Availability.unavailable("hipGetDeviceCount found 0 devices", versions);
            }
            List<Device> devices = IntStream.range(0, count).mapToObj(i -> new Device(NAME, i)).toList();
            return Availability.available(devices, versions);
        } catch (LibraryUnavailableException | HipException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.none(ExecutionMode.EAGER);
    }

    /** Without a GPU here, every generated kernel is compiled in-process by hiprtc. */
    @Override
    public Verification verification() {
        return Verification.ofCells("hiprtc compile for gfx90a");
    }

    @Override
    public Backend create(BackendContext context) {
        throw new CrossbarException(String.format(Locale.ROOT,
                "Backend '%s' declares no kernels in crossbar-backend-rocm %s, so it cannot run ops yet; select another backend,"
                        + " for example -Dcrossbar.backend=cpu", NAME, version()));
    }

    private static String version() {
        return Optional.ofNullable(RocmBackendProvider.class.getModule().getDescriptor())
                .flatMap(ModuleDescriptor::rawVersion)
                .orElse("(version unknown: loaded from the class path)");
    }
}
