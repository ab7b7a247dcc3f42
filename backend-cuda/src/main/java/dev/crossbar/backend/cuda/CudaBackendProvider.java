package dev.crossbar.backend.cuda;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.backend.cuda.internal.ffi.NativeCudaDriver;
import dev.crossbar.backend.cuda.internal.ffi.NativeNccl;
import dev.crossbar.backend.cuda.internal.ffi.NativeNvrtc;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Verification;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Provides the CUDA backend; its probe asks the CUDA driver for its version and device count and reports the versions
 * of NVRTC, cuBLAS and NCCL where they are installed.
 */
public final class CudaBackendProvider implements BackendProvider {
    static final String NAME = "cuda";
    /** Where compiled kernels are cached; {@code ~/.cache/crossbar/cuda} by default. */
    static final String CACHE_PROPERTY = "crossbar.cuda.cache";

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
        // NVRTC, cuBLAS and NCCL are reported when present; the driver decides availability, and a missing library
        // fails the first op that needs it with a message naming the package.
        optional(() -> NativeNvrtc.open().nvrtcVersion()).ifPresent(v -> versions.put("nvrtc", v));
        optional(() -> NativeCublas.open().version()).ifPresent(v -> versions.put("cublas", v));
        optional(() -> NativeNccl.open().version()).ifPresent(v -> versions.put("nccl", v));
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
        } catch (CrossbarException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, CudaKernels.classes());
    }

    /** Without a GPU here, every generated kernel is compiled by nvcc and assembled by ptxas; nothing runs. */
    @Override
    public Verification verification() {
        return Verification.ofCells("kernels compiled by nvcc/ptxas for sm_80, sm_90; float dot_general by cuBLAS; not run: no device")
                .withCollectiveNote("the NCCL process group (every collective; a host handshake before each names missing ranks and refuses mismatched calls; a hang after it ends in ncclCommAbort)"
                        + " is compiled; the handshake, the abort and 4 collectives run on a host-memory stand-in of the NCCL API; not run on a device: none here");
    }

    @Override
    public Backend create(BackendContext context) {
        NativeCudaDriver driver = NativeCudaDriver.open();
        driver.cuInit(0);
        Path cache = context.property(CACHE_PROPERTY).map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cache", "crossbar", "cuda"));
        return new CudaBackend(driver, driver.cuDeviceGetCount(), optional(NativeNvrtc::open), optional(NativeCublas::open), cache);
    }

    /** Opens an optional library, or returns empty when it is missing or fails. */
    private static <T> Optional<T> optional(Supplier<T> opener) {
        try {
            return Optional.of(opener.get());
        } catch (CrossbarException e) {
            return Optional.empty();
        }
    }
}
