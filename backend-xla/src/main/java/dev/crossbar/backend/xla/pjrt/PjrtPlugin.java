package dev.crossbar.backend.xla.pjrt;

import dev.crossbar.backend.xla.internal.ffi.NativePjrt;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A PJRT plugin that loaded, passed the version checks and initialized; shared by the XLA and Neuron backends.
 *
 * @param library the plugin's absolute path
 * @param apiMajorVersion the {@code PJRT_Api_Version.major_version} it reports
 * @param apiMinorVersion the {@code PJRT_Api_Version.minor_version} it reports
 * @param attributes what {@code PJRT_Plugin_Attributes} returns, such as {@code xla_version} or
 *     {@code stablehlo_current_version}: values are {@code String}, {@code Long}, {@code List<Long>}, {@code Float} or
 *     {@code Boolean}
 */
public record PjrtPlugin(Path library, int apiMajorVersion, int apiMinorVersion, Map<String, Object> attributes) {

    /** Copies the attributes. */
    public PjrtPlugin {
        attributes = Map.copyOf(attributes);
    }

    /**
     * Loads a plugin: calls its {@code GetPjrtApi}, checks the API version and the size of its function table, calls
     * {@code PJRT_Plugin_Initialize} (once per JVM) and reads {@code PJRT_Plugin_Attributes}. Creates no client and
     * touches no device.
     *
     * @param library the plugin's path; a relative path is resolved against the working directory
     * @return the plugin
     * @throws dev.crossbar.api.CrossbarException if the file is missing, cannot be loaded, is not a PJRT plugin,
     *     returns no API, implements a PJRT C API version this client cannot use, fails to initialize, or native
     *     access is denied; the message says which, with the path
     */
    public static PjrtPlugin load(Path library) {
        NativePjrt plugin = NativePjrt.load(library.toAbsolutePath().normalize());
        return new PjrtPlugin(plugin.library(), plugin.version().major(), plugin.version().minor(), plugin.pluginAttributes());
    }

    /**
     * Returns the API version as PJRT writes it.
     *
     * @return {@code major.minor}, such as {@code 0.54}
     */
    public String apiVersion() {
        return String.format(Locale.ROOT, "%d.%d", apiMajorVersion, apiMinorVersion);
    }

    /**
     * Returns the versions a probe reports: {@code pjrt.api}, and from the attributes, where the plugin gives them,
     * {@code xla} ({@code xla_version}), {@code stablehlo} ({@code stablehlo_current_version}) and
     * {@code stablehlo.minimum} ({@code stablehlo_minimum_version}), version lists written with dots.
     *
     * @return versions by name, in that order
     */
    public Map<String, String> versions() {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("pjrt.api", apiVersion());
        putAttribute(versions, "xla", "xla_version");
        putAttribute(versions, "stablehlo", "stablehlo_current_version");
        putAttribute(versions, "stablehlo.minimum", "stablehlo_minimum_version");
        return versions;
    }

    private void putAttribute(Map<String, String> versions, String key, String attribute) {
        Object value = attributes.get(attribute);
        if (value instanceof List<?> list) {
            versions.put(key, list.stream().map(String::valueOf).collect(Collectors.joining(".")));
        } else if (value != null) {
            versions.put(key, String.valueOf(value));
        }
    }
}
