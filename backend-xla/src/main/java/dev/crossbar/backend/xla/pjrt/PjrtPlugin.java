package dev.crossbar.backend.xla.pjrt;

import dev.crossbar.backend.xla.internal.ffi.NativePjrt;
import dev.crossbar.backend.xla.internal.ffi.PjrtApiVersion;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A PJRT plugin that loaded and reported its C API version; shared by the XLA and Neuron backends.
 *
 * @param library the plugin's absolute path
 * @param apiMajorVersion the {@code PJRT_Api_Version.major_version} it reports
 * @param apiMinorVersion the {@code PJRT_Api_Version.minor_version} it reports
 */
public record PjrtPlugin(Path library, int apiMajorVersion, int apiMinorVersion) {

    /**
     * Loads a plugin, calls its {@code GetPjrtApi} and reads the API version. Creates no client and touches no device.
     *
     * @param library the plugin's path; a relative path is resolved against the working directory
     * @return the plugin
     * @throws dev.crossbar.api.CrossbarException if the file is missing, cannot be loaded, is not a PJRT plugin,
     *     returns no API, or native access is denied; the message says which, with the path
     */
    public static PjrtPlugin load(Path library) {
        Path absolute = library.toAbsolutePath();
        PjrtApiVersion version = NativePjrt.open(absolute).apiVersion();
        return new PjrtPlugin(absolute, version.major(), version.minor());
    }

    /**
     * Returns the API version as PJRT writes it.
     *
     * @return {@code major.minor}, such as {@code 0.54}
     */
    public String apiVersion() {
        return String.format(Locale.ROOT, "%d.%d", apiMajorVersion, apiMinorVersion);
    }
}
