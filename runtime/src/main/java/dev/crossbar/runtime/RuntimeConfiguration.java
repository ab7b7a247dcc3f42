package dev.crossbar.runtime;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code crossbar.*} settings, from three sources. A setting given to the builder wins over a system property,
 * which wins over an environment variable. Environment variables are named after the property in upper case with
 * {@code _} for {@code .}: {@code CROSSBAR_CPU_DEVICES} sets {@code crossbar.cpu.devices}. Blank values count as unset.
 */
public final class RuntimeConfiguration {
    /** The prefix of every setting. */
    public static final String PREFIX = "crossbar.";
    /** The setting that names the backend to use. */
    public static final String BACKEND = "crossbar.backend";

    /** Where a setting came from, strongest first. */
    public enum Source {
        /** {@link Crossbar.Builder#property} or {@link Crossbar.Builder#backend}. */
        BUILDER,
        /** A JVM system property such as {@code -Dcrossbar.backend=cpu}. */
        SYSTEM_PROPERTY,
        /** A process environment variable such as {@code CROSSBAR_BACKEND=cpu}. */
        ENVIRONMENT
    }

    private final Map<Source, SortedMap<String, String>> sources = new EnumMap<>(Source.class);
    private final SortedMap<String, String> merged = new TreeMap<>();

    /**
     * Reads the settings of the three sources; only {@code crossbar.*} keys and {@code CROSSBAR_*} variables are kept.
     *
     * @param builder settings given to the builder, each key starting with {@code crossbar.}
     * @param systemProperties the JVM's system properties
     * @param environment the process environment
     * @throws IllegalArgumentException if a builder key does not start with {@code crossbar.}
     */
    public RuntimeConfiguration(Map<String, String> builder, Map<String, String> systemProperties, Map<String, String> environment) {
        requireNonNull(builder, "builder is null");
        requireNonNull(systemProperties, "systemProperties is null");
        requireNonNull(environment, "environment is null");
        SortedMap<String, String> fromBuilder = new TreeMap<>();
        builder.forEach((key, value) -> {
            if (!key.startsWith(PREFIX)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "Setting '%s' is not a Crossbar setting; Crossbar settings start with '%s', such as %s", key, PREFIX, BACKEND));
            }
            putIfSet(fromBuilder, key, value);
        });
        SortedMap<String, String> fromProperties = new TreeMap<>();
        systemProperties.forEach((key, value) -> {
            if (key.startsWith(PREFIX)) {
                putIfSet(fromProperties, key, value);
            }
        });
        SortedMap<String, String> fromEnvironment = new TreeMap<>();
        String variablePrefix = environmentVariable(PREFIX);
        environment.forEach((variable, value) -> {
            if (variable.startsWith(variablePrefix)) {
                putIfSet(fromEnvironment, variable.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        sources.put(Source.BUILDER, Collections.unmodifiableSortedMap(fromBuilder));
        sources.put(Source.SYSTEM_PROPERTY, Collections.unmodifiableSortedMap(fromProperties));
        sources.put(Source.ENVIRONMENT, Collections.unmodifiableSortedMap(fromEnvironment));
        merged.putAll(fromEnvironment);
        merged.putAll(fromProperties);
        merged.putAll(fromBuilder);
    }

    /**
     * Reads the settings of this process: the builder's, {@link System#getProperties()} and {@link System#getenv()}.
     *
     * @param builder settings given to the builder
     * @return the configuration
     */
    public static RuntimeConfiguration fromProcess(Map<String, String> builder) {
        Properties properties = System.getProperties();
        Map<String, String> systemProperties = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            systemProperties.put(key, properties.getProperty(key));
        }
        return new RuntimeConfiguration(builder, systemProperties, System.getenv());
    }

    private static void putIfSet(Map<String, String> target, String key, String value) {
        if (value != null && !value.isBlank()) {
            target.put(key, value.strip());
        }
    }

    /**
     * Returns the environment variable that sets a property: {@code crossbar.cpu.devices} is set by
     * {@code CROSSBAR_CPU_DEVICES}.
     *
     * @param key the property
     * @return the variable's name
     */
    public static String environmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /**
     * Returns a setting from one source only.
     *
     * @param source the source
     * @param key the key, such as {@code crossbar.backend}
     * @return the value, if that source sets it
     */
    public Optional<String> get(Source source, String key) {
        return Optional.ofNullable(sources.get(source).get(key));
    }

    /**
     * Returns a setting from the strongest source that sets it.
     *
     * @param key the key, such as {@code crossbar.cpu.devices}
     * @return the value, if any source sets it
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(merged.get(key));
    }

    /**
     * Returns every setting, each from the strongest source that sets it; this is what backends receive.
     *
     * @return the settings, sorted by key
     */
    public SortedMap<String, String> properties() {
        return Collections.unmodifiableSortedMap(merged);
    }

    /**
     * Describes where a key is set in a source, for messages: {@code "system property crossbar.backend"}.
     *
     * @param source the source
     * @param key the key
     * @return the description
     */
    public static String describe(Source source, String key) {
        return switch (source) {
            case BUILDER -> "the builder's " + key;
            case SYSTEM_PROPERTY -> "system property " + key;
            case ENVIRONMENT -> "environment variable " + environmentVariable(key);
        };
    }

    @Override
    public String toString() {
        return "RuntimeConfiguration" + sources;
    }
}
