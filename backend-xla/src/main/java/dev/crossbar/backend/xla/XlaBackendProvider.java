package dev.crossbar.backend.xla;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.backend.xla.internal.ffi.PjrtPluginException;
import dev.crossbar.backend.xla.pjrt.PjrtPlugin;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Verification;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Provides the XLA backend; its probe loads the configured PJRT plugin and reads its API version. The plugin is named
 * by the setting {@code crossbar.pjrt.plugin} (the environment variable {@code CROSSBAR_PJRT_PLUGIN} sets it too): a
 * path, or comma-separated {@code name:path} pairs of which the first is used.
 */
public final class XlaBackendProvider implements BackendProvider {
    static final String NAME = "xla";
    static final String PLUGIN_PROPERTY = "crossbar.pjrt.plugin";
    static final String PLUGIN_VARIABLE = "CROSSBAR_PJRT_PLUGIN";

    /** Creates the provider; does no work, as {@link java.util.ServiceLoader} requires. */
    public XlaBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int priority() {
        return 70;
    }

    @Override
    public Availability probe(BackendContext context) {
        Optional<String> setting = context.property(PLUGIN_PROPERTY).filter(s -> !s.isBlank());
        if (setting.isEmpty()) {
            return Availability.unavailable(String.format(Locale.ROOT,
                    "no PJRT plugin configured: set %s (or -D%s) to the path of a PJRT plugin (e.g. .../pjrt_c_api_cpu_plugin.so)",
                    PLUGIN_VARIABLE, PLUGIN_PROPERTY), Map.of());
        }
        Path path;
        try {
            path = firstPluginPath(setting.get());
        } catch (IllegalArgumentException e) {
            return Availability.unavailable(e.getMessage(), Map.of());
        }
        try {
            PjrtPlugin plugin = PjrtPlugin.load(path);
            return Availability.unavailable(String.format(Locale.ROOT,
                    "PJRT plugin %s (API %s) loaded; crossbar-backend-xla %s does not create PJRT clients yet, so it lists no xla devices",
                    plugin.library(), plugin.apiVersion(), version()), Map.of("pjrt.api", plugin.apiVersion()));
        } catch (PjrtPluginException e) {
            return Availability.unavailable(e.getMessage(), Map.of());
        }
    }

    /** Reads the first entry of a plugin setting: {@code path}, or {@code name:path[,name:path...]}. */
    static Path firstPluginPath(String setting) {
        String first = setting.split(",", -1)[0].strip();
        int colon = first.indexOf(':');
        // A name has no '/', so "cpu:/opt/x.so" is a pair and "/opt/x.so" or "./x.so" is a path.
        String path = colon > 0 && first.lastIndexOf('/', colon) < 0 ? first.substring(colon + 1).strip() : first;
        if (path.isEmpty()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the PJRT plugin setting '%s' (%s or -D%s) names no path; write a path, or name:path pairs separated by commas",
                    setting, PLUGIN_VARIABLE, PLUGIN_PROPERTY));
        }
        return Path.of(path);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.none(ExecutionMode.LAZY_GRAPH);
    }

    /** Without a PJRT plugin here, every lowering runs on XLA:CPU through TensorFlow Java in the tests. */
    @Override
    public Verification verification() {
        return Verification.ofCells("StableHLO run on XLA:CPU, compared with cpu");
    }

    @Override
    public Backend create(BackendContext context) {
        throw new CrossbarException(String.format(Locale.ROOT,
                "Backend '%s' declares no kernels in crossbar-backend-xla %s, so it cannot run ops yet; select another backend,"
                        + " for example -Dcrossbar.backend=cpu", NAME, version()));
    }

    private static String version() {
        return Optional.ofNullable(XlaBackendProvider.class.getModule().getDescriptor())
                .flatMap(ModuleDescriptor::rawVersion)
                .orElse("(version unknown: loaded from the class path)");
    }
}
