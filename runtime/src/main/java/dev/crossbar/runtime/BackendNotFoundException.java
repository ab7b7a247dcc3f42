package dev.crossbar.runtime;

import dev.crossbar.api.CrossbarException;
import java.util.List;
import java.util.Locale;

/**
 * Thrown when a backend is named (by the builder, {@code crossbar.backend} or {@code CROSSBAR_BACKEND}) but no plugin
 * with that name was found, or when no backend at all is available. The message lists the backends that are
 * available and the artifact to add.
 */
public class BackendNotFoundException extends CrossbarException {
    private final String requested;
    private final List<String> available;

    /**
     * Creates the error for a name that no plugin has.
     *
     * @param requested the name asked for
     * @param origin where the name came from, such as {@code "system property crossbar.backend"}
     * @param available the names of the available backends
     */
    public BackendNotFoundException(String requested, String origin, List<String> available) {
        super(String.format(Locale.ROOT, "Backend '%s' not found; available: %s; %s (the name came from %s)",
                requested, available, howToAdd(requested), origin));
        this.requested = requested;
        this.available = List.copyOf(available);
    }

    /**
     * Creates the error for a machine where no discovered backend is available.
     *
     * @param discovered every discovered backend, none of them available
     */
    public BackendNotFoundException(List<DiscoveredBackend> discovered) {
        super(String.format(Locale.ROOT, "No backend is available; discovered: %s; %s",
                discovered.stream().map(b -> b.name() + " (" + b.reason() + ")").toList(), howToAdd("cpu")));
        this.requested = "";
        this.available = List.of();
    }

    private static String howToAdd(String name) {
        return KnownBackend.named(name)
                .map(k -> "add " + k.coordinates() + " to the classpath")
                .orElseGet(() -> "add the jar of the plugin that provides '" + name + "' to the classpath or module path");
    }

    /**
     * Returns the name asked for.
     *
     * @return the name, empty when no name was asked for and none was available
     */
    public String requested() {
        return requested;
    }

    /**
     * Returns the names of the backends that were available.
     *
     * @return the names
     */
    public List<String> available() {
        return available;
    }
}
