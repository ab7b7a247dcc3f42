package dev.crossbar.spi.codegen;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import dev.crossbar.spi.ffi.NcclApi;
import dev.crossbar.spi.kernel.OpKernel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The provider of a GPU backend ({@link StreamBackend}) that a vendor configures: its name, priority and dialect, and
 * how to open its runtime, kernel compiler, BLAS and NCCL-API library. The probe asks the runtime for its version and
 * device count and reports the versions of the optional libraries that are installed; the backend runs every op as
 * {@link GeneratedKernels} in the vendor's dialect, so the capabilities are those classes' cells. Compiled kernels are
 * cached in the directory the property {@code crossbar.<name>.cache} names, {@code ~/.cache/crossbar/<name>} by
 * default.
 */
public abstract class GpuBackendProvider implements BackendProvider {
    private final Vendor vendor;
    private final List<OpKernel> kernels;

    /**
     * Configures the provider.
     *
     * @param vendor the vendor's names
     */
    protected GpuBackendProvider(Vendor vendor) {
        this.vendor = vendor;
        this.kernels = GeneratedKernels.instances(new GeneratedOps(vendor.dialect(), vendor.name()));
    }

    /**
     * A vendor's names.
     *
     * @param name the backend's name, such as {@code cuda}
     * @param priority its priority among available backends
     * @param dialect the dialect its compiler reads
     * @param runtimeVersionKey the probe's key of the runtime's version, such as {@code cuda.driver}
     * @param deviceCountFunction the runtime function that counts devices, named when it finds none
     */
    public record Vendor(String name, int priority, Dialect dialect, String runtimeVersionKey, String deviceCountFunction) {
    }

    /**
     * Opens the vendor's runtime.
     *
     * @return the runtime, initialized
     * @throws CrossbarException if its library is missing or fails to initialize (the probe reports the message)
     */
    protected abstract GpuRuntime openRuntime();

    /**
     * Opens the vendor's kernel compiler.
     *
     * @return the compiler
     * @throws CrossbarException if the backend cannot run without it and it is missing
     */
    protected abstract KernelCompiler openCompiler();

    /**
     * Opens the vendor's BLAS.
     *
     * @return the BLAS
     * @throws CrossbarException if it is missing (dot_general then runs the generated matmul)
     */
    protected abstract GpuBlas openBlas();

    /**
     * Opens the vendor's NCCL-API library, on the backend's first request for collectives.
     *
     * @return the library
     * @throws dev.crossbar.spi.ffi.LibraryUnavailableException if it is missing (the runtime's communicators then
     *     carry the collectives)
     */
    protected abstract NcclApi openCollectives();

    /**
     * Returns how to read the versions of the optional libraries the probe reports when they are installed.
     *
     * @return library names, such as {@code nccl}, and their version readers, which throw {@link CrossbarException}
     *     when the library is missing
     */
    protected abstract Map<String, Supplier<String>> optionalLibraryVersions();

    @Override
    public final String name() {
        return vendor.name();
    }

    @Override
    public final int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public final int priority() {
        return vendor.priority();
    }

    /**
     * Reports the runtime's version and devices, and the versions of the optional libraries that are installed; the
     * runtime decides availability, and a missing optional library fails the first op that needs it with a message
     * naming the package.
     */
    @Override
    public final Availability probe(BackendContext context) {
        Map<String, String> versions = new TreeMap<>();
        optionalLibraryVersions().forEach((library, version) -> optional(version).ifPresent(v -> versions.put(library, v)));
        try {
            GpuRuntime runtime = openRuntime();
            versions.put(vendor.runtimeVersionKey(), runtime.version());
            int count = runtime.deviceCount();
            if (count == 0) {
                return Availability.unavailable(vendor.deviceCountFunction() + " found 0 devices", versions);
            }
            List<Device> devices = IntStream.range(0, count).mapToObj(i -> new Device(vendor.name(), i)).toList();
            return Availability.available(devices, versions);
        } catch (CrossbarException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
    }

    @Override
    public final Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, kernels.stream().<Class<? extends OpKernel>>map(OpKernel::getClass).toList());
    }

    @Override
    public final Backend create(BackendContext context) {
        GpuRuntime runtime = openRuntime();
        String cacheProperty = "crossbar." + vendor.name() + ".cache";
        StreamDevice.ModuleDirectory modules = new StreamDevice.ModuleDirectory(context.property(cacheProperty).map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cache", "crossbar", vendor.name())), cacheProperty);
        KernelCompiler compiler = openCompiler();
        Optional<GpuBlas> blas = optional(this::openBlas);
        List<StreamDevice> devices = StreamBackend.openDevices(runtime.deviceCount(),
                i -> new StreamDevice(new Device(vendor.name(), i), runtime, compiler, blas, modules));
        return new StreamBackend(vendor.name(), devices, KernelSet.of(vendor.name(), ExecutionMode.EAGER, kernels), this::openCollectives);
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
