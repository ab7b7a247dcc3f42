package dev.crossbar.backend.cuda;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.cuda.internal.ffi.CudaException;
import dev.crossbar.backend.cuda.internal.ffi.LibraryUnavailableException;
import dev.crossbar.backend.cuda.internal.ffi.NativeCudaDriver;
import dev.crossbar.backend.cuda.internal.ffi.NativeNvrtc;
import dev.crossbar.backend.cuda.internal.ffi.NvrtcException;
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

/** Provides the CUDA backend; its probe asks the CUDA driver for its version and device count. */
public final class CudaBackendProvider implements BackendProvider {
    static final String NAME = "cuda";

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
        return 100;
    }

    @Override
    public Availability probe(BackendContext context) {
        Map<String, String> versions = new TreeMap<>();
        try {
            versions.put("nvrtc", NativeNvrtc.open().nvrtcVersion());
        } catch (LibraryUnavailableException | NvrtcException ignored) {
            // NVRTC compiles kernels, and this version has none: its absence does not make the backend unavailable.
        }
        try {
            NativeCudaDriver driver = NativeCudaDriver.open();
            int driverVersion = driver.cuDriverGetVersion();
            versions.put("cuda.driver", String.format(Locale.ROOT, "%d.%d", driverVersion / 1000, driverVersion % 1000 / 10));
            driver.cuInit(0);
            int count = driver.cuDeviceGetCount();
            if (count == 0) {
                return Availability.unavailable("cuDeviceGetCount found 0 devices", versions);
            }
            List<Device> devices = IntStream.range(0, count).mapToObj(i -> new Device(NAME, i)).toList();
            return Availability.available(devices, versions);
        } catch (LibraryUnavailableException | CudaException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.none(ExecutionMode.EAGER);
    }

    /** Without a GPU here, every generated kernel is compiled by nvcc and assembled by ptxas. */
    @Override
    public Verification verification() {
        return Verification.ofCells("nvcc/ptxas compile for sm_90");
    }

    @Override
    public Backend create(BackendContext context) {
        throw new CrossbarException(String.format(Locale.ROOT,
                "Backend '%s' declares no kernels in crossbar-backend-cuda %s, so it cannot run ops yet; select another backend,"
                        + " for example -Dcrossbar.backend=cpu", NAME, version()));
    }

    private static String version() {
        return Optional.ofNullable(CudaBackendProvider.class.getModule().getDescriptor())
                .flatMap(ModuleDescriptor::rawVersion)
                .orElse("(version unknown: loaded from the class path)");
    }
}
