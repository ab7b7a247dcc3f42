package dev.crossbar.spi;

import java.util.Map;
import java.util.Optional;

/**
 * What the runtime hands a provider when it creates a backend: the configuration, as {@code crossbar.*} properties
 * merged from system properties, the environment and the builder (for example {@code crossbar.cpu.devices}).
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
