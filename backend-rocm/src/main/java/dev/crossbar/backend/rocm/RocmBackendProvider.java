package dev.crossbar.backend.rocm;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.rocm.internal.ffi.NativeHip;
import dev.crossbar.backend.rocm.internal.ffi.NativeHiprtc;
import dev.crossbar.backend.rocm.internal.ffi.NativeRccl;
import dev.crossbar.backend.rocm.internal.ffi.NativeRocblas;
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
 * Provides the ROCm backend; its probe asks the HIP runtime for its version and device count and reports the versions
 * of rocBLAS and RCCL where they are installed.
 */
public final class RocmBackendProvider implements BackendProvider {
    static final String NAME = "rocm";
    /** Where compiled kernels are cached; {@code ~/.cache/crossbar/rocm} by default. */
    static final String CACHE_PROPERTY = "crossbar.rocm.cache";

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
        // rocBLAS and RCCL are reported when present; the HIP runtime decides availability, and a missing library
        // fails the first op that needs it with a message naming the package.
        optional(() -> NativeRocblas.open().version()).ifPresent(v -> versions.put("rocblas", v));
        optional(() -> NativeRccl.open().version()).ifPresent(v -> versions.put("rccl", v));
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
        } catch (CrossbarException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, RocmKernels.classes());
    }

    /** Without a GPU here, every generated kernel is compiled in-process by hiprtc; none has run on a device. */
    @Override
    public Verification verification() {
        return Verification.ofCells(
                "kernels compiled by hiprtc for gfx90a, gfx908; float dot_general by rocBLAS if installed; not run: no device")
                .withCollectiveNote("the RCCL process group (every collective; a host handshake before each names missing ranks and refuses mismatched calls; a hang after it ends in ncclCommAbort)"
                        + " is compiled; the handshake, the abort and 4 collectives run on a host-memory stand-in of the NCCL API; not run on a device: none here");
    }

    @Override
    public Backend create(BackendContext context) {
        NativeHip hip = NativeHip.open();
        Path cache = context.property(CACHE_PROPERTY).map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cache", "crossbar", "rocm"));
        return new RocmBackend(hip, hip.hipGetDeviceCount(), NativeHiprtc.open(), optional(NativeRocblas::open), cache);
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
