package dev.crossbar.backend.cpu.kernel;

/**
 * Whether the F32 kernels may use {@link VectorFloatLoops}: the incubating {@code jdk.incubator.vector} module must be
 * in the boot layer (a named module that requires it gets it; a plain classpath needs
 * {@code --add-modules jdk.incubator.vector}) and the machine's preferred vectors must hold at least 8 floats.
 * Otherwise the kernels run their scalar loops, with one warning that says how to enable the fast path.
 */
final class Simd {
    /** True when {@link VectorFloatLoops} may be called. */
    static final boolean AVAILABLE = probe();

    private Simd() {
    }

    private static boolean probe() {
        System.Logger log = System.getLogger(Simd.class.getName());
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            log.log(System.Logger.Level.WARNING,
                    "The cpu backend runs scalar element-wise kernels: module jdk.incubator.vector is not loaded; add the JVM flag"
                            + " --add-modules jdk.incubator.vector (or put crossbar-backend-cpu on the module path) for the vectorized ones");
            return false;
        }
        int lanes = VectorFloatLoops.lanes();
        if (lanes < VectorFloatLoops.MINIMUM_LANES) {
            log.log(System.Logger.Level.INFO, "The cpu backend runs scalar element-wise kernels: the preferred vector holds only {0} floats", lanes);
            return false;
        }
        return true;
    }
}
