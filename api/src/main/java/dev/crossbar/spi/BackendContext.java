package dev.crossbar.spi;

import java.util.Map;
import java.util.Optional;

/**
 * What the runtime hands a provider when it probes and creates a backend (the same object for both): the configuration,
 * as {@code crossbar.*} properties merged from the builder, system properties and the environment (for example
 * {@code crossbar.cpu.devices}, set by {@code CROSSBAR_CPU_DEVICES}).
 *
 * @param properties the configuration
 */
public record BackendContext(Map<String, String> properties) {
    /**
     * Freezes the configuration.
     *
     * @param properties the configuration
     */
    public BackendContext {
        properties = Map.copyOf(properties);
    }

    /**
     * Returns one property.
     *
     * @param key the key, such as {@code "crossbar.cpu.devices"}
     * @return the value, if set
     */
    public Optional<String> property(String key) {
        return Optional.ofNullable(properties.get(key));
    }
}
