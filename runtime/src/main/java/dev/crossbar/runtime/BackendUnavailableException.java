package dev.crossbar.runtime;

import dev.crossbar.api.CrossbarException;
import java.util.List;
import java.util.Locale;

/**
 * Thrown when the backend named (by the builder, {@code crossbar.backend} or {@code CROSSBAR_BACKEND}) was found but
 * cannot run here: its native libraries or devices are missing, it was built for another SPI version, or it is broken.
 * The message carries the plugin's reason.
 */
public class BackendUnavailableException extends CrossbarException {
    private final DiscoveredBackend backend;

    /**
     * Creates the error.
     *
     * @param backend the backend as discovery recorded it
     * @param origin where the name came from, such as {@code "environment variable CROSSBAR_BACKEND"}
     * @param available the names of the available backends
     */
    public BackendUnavailableException(DiscoveredBackend backend, String origin, List<String> available) {
        super(String.format(Locale.ROOT, "Backend '%s' is not available: %s; available: %s (the name came from %s)",
                backend.name(), backend.reason(), available, origin));
        this.backend = backend;
    }

    /**
     * Returns the backend that cannot run.
     *
     * @return the backend, with its status and reason
     */
    public DiscoveredBackend backend() {
        return backend;
    }
}
