package dev.crossbar.spi;

/**
 * The service a backend plugin provides, found with {@link java.util.ServiceLoader} ({@code provides ... with} in
 * {@code module-info.java} and {@code META-INF/services/dev.crossbar.spi.BackendProvider}). Implementations need a
 * public no-argument constructor that does no work.
 */
public interface BackendProvider {
    /** The SPI version this build of Crossbar implements; a provider reporting another version is not loaded. */
    int SPI_VERSION = 1;

    /**
     * Returns the backend's name, used in device names and for selection ({@code crossbar.backend=NAME}).
     *
     * @return a lower-case name such as {@code "cuda"}
     */
    String name();

    /**
     * Returns the SPI version the provider was built against; normally {@link #SPI_VERSION}.
     *
     * @return the SPI version
     */
    int spiVersion();

    /**
     * Returns the priority among available backends; the highest wins when none is named. The cpu backend has priority
     * 0; a backend that should run only when named (such as one whose device is slower than the cpu backend) returns
     * a negative priority.
     *
     * @return the priority
     */
    int priority();

    /**
     * Looks for the backend's native libraries and devices. Never throws and never creates a device context: every
     * failure becomes {@link Availability#unavailable} with its exact reason. Reads its {@code crossbar.*} settings from
     * the context, not from system properties or the environment, so that what it reports matches what {@link #create}
     * builds.
     *
     * @param context the configuration, the same that {@link #create} receives
     * @return what was found
     */
    Availability probe(BackendContext context);

    /**
     * Returns the cells this backend declares, derived from its kernel classes with {@link Capabilities#declaredBy}.
     * Known without a device, so the matrix lists backends this machine cannot run.
     *
     * @return the capabilities
     */
    Capabilities capabilities();

    /**
     * Says how this backend's cells are verified, for the "verified by" column of the compatibility matrix and its
     * collectives and sharding table. Known without a device, like {@link #capabilities()}, and never throws. State
     * the path the conformance kit actually runs on in the plugin's build; the default claims nothing beyond that.
     *
     * @return the verification
     */
    default Verification verification() {
        return Verification.ofCells("not stated by the plugin");
    }

    /**
     * Creates the backend. Called only after {@link #probe} reported it available with the same context.
     *
     * @param context the configuration
     * @return the backend
     */
    Backend create(BackendContext context);
}
