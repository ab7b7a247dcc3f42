package dev.crossbar.runtime;

import static java.util.Objects.requireNonNull;

import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import java.util.Optional;

/**
 * One backend plugin as discovery recorded it, usable or not.
 *
 * @param name the backend's name, or the provider's class name when the plugin broke before telling its name
 * @param status whether it can be selected, and if not, which kind of failure
 * @param reason why it cannot be selected; empty when available
 * @param provider the provider, present when the plugin loaded and implements this SPI version
 * @param availability what the probe found; for a broken or incompatible plugin, unavailable with {@code reason}
 * @param capabilities the cells the plugin declares, present when the plugin could tell them
 */
public record DiscoveredBackend(
        String name,
        BackendStatus status,
        String reason,
        Optional<BackendProvider> provider,
        Availability availability,
        Optional<Capabilities> capabilities) {

    /**
     * Checks the parts.
     *
     * @param name the name
     * @param status the status
     * @param reason the reason
     * @param provider the provider
     * @param availability the probe's result
     * @param capabilities the declared cells
     */
    public DiscoveredBackend {
        requireNonNull(name, "name is null");
        requireNonNull(status, "status is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(provider, "provider is null");
        requireNonNull(availability, "availability is null");
        requireNonNull(capabilities, "capabilities is null");
        if ((status == BackendStatus.AVAILABLE) != availability.available()) {
            throw new IllegalArgumentException("Status " + status + " contradicts availability " + availability + " of backend '" + name + "'");
        }
    }

    /**
     * Tells whether the backend can be selected.
     *
     * @return true when the status is {@link BackendStatus#AVAILABLE}
     */
    public boolean isAvailable() {
        return status == BackendStatus.AVAILABLE;
    }

    /**
     * Returns the number of (op, dtype) cells the backend declares.
     *
     * @return the count, 0 when the plugin could not tell
     */
    public int declaredCells() {
        return capabilities.map(c -> c.cells().size()).orElse(0);
    }

    /**
     * Returns the provider's priority.
     *
     * @return the priority, or {@link Integer#MIN_VALUE} when the plugin did not load
     */
    public int priority() {
        return provider.map(BackendProvider::priority).orElse(Integer.MIN_VALUE);
    }
}
