package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.backend.cpu.internal.ffi.NativeOpenBlas;
import dev.crossbar.backend.cpu.internal.ffi.OnednnMatmul;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What each {@link MatmulPath} found when the cpu backend was first probed: the Vector API (through {@link Simd}),
 * OpenBLAS and oneDNN, each present with its version or absent with the reason. Probed once per process.
 */
public final class MatmulLibraries {
    private static final String UNTUNED = "OpenBLAS did not recognise this CPU and runs its generic Prescott kernels, so auto prefers oneDNN for F32;"
            + " set OPENBLAS_CORETYPE to the CPU's core, such as SkylakeX for AVX-512";

    private MatmulLibraries() {
    }

    /** The probes' results, made on first use. */
    private static final class Found {
        static final Probe<NativeOpenBlas> OPENBLAS = probe(() -> {
            NativeOpenBlas blas = NativeOpenBlas.open();
            blas.setNumThreads(KernelPool.parallelism());
            return blas;
        });
        static final Probe<OnednnMatmul> ONEDNN = probe(OnednnMatmul::open);
    }

    /** A library that loaded, or the reason it did not. */
    record Probe<T>(Optional<T> library, String reason) {
    }

    private static <T> Probe<T> probe(java.util.function.Supplier<T> open) {
        try {
            return new Probe<>(Optional.of(open.get()), "");
        } catch (CrossbarException e) {
            return new Probe<>(Optional.empty(), e.getMessage());
        }
    }

    /**
     * Describes every path for doctor: whether it is present, its version or implementation, or why it is absent.
     *
     * @return entries {@code matmul.java}, {@code matmul.openblas} and {@code matmul.onednn}
     */
    public static Map<String, String> describe() {
        Map<String, String> paths = new LinkedHashMap<>();
        // A direct call, not a method reference: linking one would load VectorMatmul, and with it the Vector API.
        paths.put("matmul.java", vectorPresent() ? VectorMatmul.describe()
                : "scalar (the Vector API is not usable: add --add-modules jdk.incubator.vector on a classpath; see the warning at startup)");
        paths.put("matmul.openblas", Found.OPENBLAS.library().map(blas -> blas.config() + " threads=" + blas.numThreads()
                + (openBlasTuned() ? "" : " (" + UNTUNED + ")")).orElse("absent (" + Found.OPENBLAS.reason() + ")"));
        paths.put("matmul.onednn", Found.ONEDNN.library().map(MatmulLibraries::describe).orElse("absent (" + Found.ONEDNN.reason() + ")"));
        return paths;
    }

    private static String describe(OnednnMatmul dnnl) {
        try {
            return String.format(Locale.ROOT, "oneDNN %s f32=%s bf16=%s", dnnl.version(), dnnl.implementation(DType.F32, 256), dnnl.implementation(DType.BF16, 256));
        } catch (CrossbarException e) {
            return "oneDNN " + dnnl.version() + " failing (" + e.getMessage() + ")";
        }
    }

    /**
     * Tells why a path cannot run here.
     *
     * @param path the path
     * @return the reason, or empty when it can ({@link MatmulPath#AUTO} and {@link MatmulPath#JAVA} always can)
     */
    public static Optional<String> unavailable(MatmulPath path) {
        return switch (path) {
            case AUTO, JAVA -> Optional.empty();
            case OPENBLAS -> Found.OPENBLAS.library().isPresent() ? Optional.empty() : Optional.of(Found.OPENBLAS.reason());
            case ONEDNN -> Found.ONEDNN.library().isPresent() ? Optional.empty() : Optional.of(Found.ONEDNN.reason());
        };
    }

    /** Tells whether {@link VectorMatmul} may be called; {@link Simd} probes the module once and warns when it is absent. */
    static boolean vectorPresent() {
        return Simd.AVAILABLE;
    }

    /**
     * Tells whether OpenBLAS recognised the CPU. Prescott is the core it falls back to for an x86-64 CPU its cpuid
     * tables do not know (0.3.21 on a Xeon reporting a generic model name, for one): SSE3 kernels, several times slower
     * than the AVX-512 ones {@code OPENBLAS_CORETYPE=SkylakeX} selects.
     */
    static boolean openBlasTuned() {
        return Found.OPENBLAS.library().map(blas -> !blas.coreName().equalsIgnoreCase("prescott")).orElse(false);
    }

    static Optional<NativeOpenBlas> openBlas() {
        return Found.OPENBLAS.library();
    }

    static Optional<OnednnMatmul> onednn() {
        return Found.ONEDNN.library();
    }
}
