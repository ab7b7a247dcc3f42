package dev.crossbar.backend.xla;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.xla.executor.PjrtExecutor;
import dev.crossbar.backend.xla.executor.SpmdEmulationExecutor;
import dev.crossbar.backend.xla.internal.tf.TensorFlowExecutor;
import dev.crossbar.backend.xla.internal.tf.TensorFlowRuntime;
import dev.crossbar.backend.xla.kernel.XlaKernels;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.pjrt.PjrtClient;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Provides the XLA backend; its probe loads the configured PJRT plugin, checks its API version, initializes it and reads
 * its attributes, without creating a client (which would claim devices). The plugin is named
 * by the setting {@code crossbar.pjrt.plugin} (the environment variable {@code CROSSBAR_PJRT_PLUGIN} sets it too): a
 * path, or comma-separated {@code name:path} pairs of which the first is used.
 *
 * <p>The executor is chosen in this order: the verification executor when {@code crossbar.xla.executor=tensorflow}
 * asks for it; otherwise the PJRT executor when the plugin setting names a plugin that loads (programs run on the
 * client's first device, {@code xla:0}); otherwise the backend is unavailable, and {@link #create} throws
 * {@link XlaExecutorUnavailableException} saying what each of the two lacks.
 *
 * <p>The setting {@code crossbar.xla.executor=tensorflow} selects the verification executor: XLA:CPU through
 * TensorFlow Java's {@code XlaCallModule}, when TensorFlow Java is on the path; only then does the probe load
 * TensorFlow's native library (about 3 s), so its failure is reported as the reason. It is never chosen by itself, so
 * a machine that merely has TensorFlow Java keeps running on cpu by default. With it, {@code crossbar.xla.devices=N}
 * (default 1) gives the backend N devices {@code xla:0..N-1} that share the one XLA:CPU runtime, as the cpu backend's
 * virtual devices do, so multi-device code and its checks run here too; SPMD programs (the collectives of the backend's
 * process groups, {@code Spmd} and FSDP) run there by {@link SpmdEmulationExecutor}, which puts every replica's graph in
 * one XLA:CPU program. The PJRT executor runs one replica, so SPMD programs on a PJRT plugin are refused with a typed
 * error until it compiles with {@code num_replicas} and executes on as many addressable devices.
 */
public final class XlaBackendProvider implements BackendProvider {
    static final String NAME = "xla";
    static final String PLUGIN_PROPERTY = "crossbar.pjrt.plugin";
    static final String PLUGIN_VARIABLE = "CROSSBAR_PJRT_PLUGIN";
    static final String EXECUTOR_PROPERTY = "crossbar.xla.executor";
    static final String TENSORFLOW_EXECUTOR = "tensorflow";
    static final String DEVICES_PROPERTY = "crossbar.xla.devices";

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
        Optional<String> tensorflow = TensorFlowRuntime.version();
        Optional<String> executor = context.property(EXECUTOR_PROPERTY).map(String::strip).filter(e -> !e.isEmpty());
        if (executor.isPresent() && !executor.get().equals(TENSORFLOW_EXECUTOR)) {
            return Availability.unavailable(String.format(Locale.ROOT, "unknown %s '%s'; the only executor besides a PJRT plugin is '%s'",
                    EXECUTOR_PROPERTY, executor.get(), TENSORFLOW_EXECUTOR), Map.of());
        }
        if (executor.isPresent()) {
            return probeVerificationExecutor(context, tensorflow);
        }
        String verification = tensorflow.map(v -> String.format(Locale.ROOT,
                        "verification executor present (XLA:CPU through TensorFlow Java %s XlaCallModule; select it with -D%s=%s)", v, EXECUTOR_PROPERTY, TENSORFLOW_EXECUTOR))
                .orElse("verification executor absent (TensorFlow Java not on the path: " + TensorFlowRuntime.ARTIFACTS + ")");
        PjrtStatus pjrt = pjrtStatus(context);
        Map<String, String> versions = new TreeMap<>(pjrt.versions());
        tensorflow.ifPresent(v -> versions.put("tensorflow-java", v));
        if (pjrt.plugin().isPresent()) {
            versions.put("executor", pjrt.text());
            return Availability.available(List.of(new Device(NAME, 0)), versions);
        }
        return Availability.unavailable(pjrt.text() + "; " + verification, versions);
    }

    /** The verification executor, selected explicitly: TensorFlow Java's classes and native library must load. */
    private static Availability probeVerificationExecutor(BackendContext context, Optional<String> tensorflow) {
        if (tensorflow.isEmpty()) {
            return Availability.unavailable(String.format(Locale.ROOT, "%s=%s but TensorFlow Java is not on the class or module path; add %s",
                    EXECUTOR_PROPERTY, TENSORFLOW_EXECUTOR, TensorFlowRuntime.ARTIFACTS), Map.of());
        }
        int devices;
        try {
            devices = TensorFlowRuntime.deviceCount(DEVICES_PROPERTY, context.property(DEVICES_PROPERTY));
        } catch (IllegalArgumentException e) {
            return Availability.unavailable(e.getMessage(), Map.of());
        }
        String core;
        try {
            core = TensorFlowRuntime.loadNative();
        } catch (IllegalStateException e) {
            return Availability.unavailable(String.format(Locale.ROOT, "TensorFlow Java %s is present but its native library did not load (%s);"
                    + " the verification executor needs linux-x86_64 and %s", tensorflow.get(), e.getMessage(), TensorFlowRuntime.ARTIFACTS), Map.of());
        }
        Map<String, String> versions = new TreeMap<>(pjrtStatus(context).versions());
        versions.put("tensorflow-java", tensorflow.get());
        versions.put("tensorflow", core);
        versions.put("executor", "XLA:CPU through TensorFlow Java XlaCallModule (verification)");
        return Availability.available(IntStream.range(0, devices).mapToObj(i -> new Device(NAME, i)).toList(), versions);
    }

    /** What the PJRT side found, with the plugin and its versions when it loaded. */
    private record PjrtStatus(String text, Map<String, String> versions, Optional<PjrtPlugin> plugin) {
    }

    /** No plugin configured, a bad setting, a plugin that failed to load, or its API version. */
    private static PjrtStatus pjrtStatus(BackendContext context) {
        Optional<String> setting = context.property(PLUGIN_PROPERTY).filter(s -> !s.isBlank());
        if (setting.isEmpty()) {
            return new PjrtStatus(String.format(Locale.ROOT,
                    "no PJRT plugin configured: set %s (or -D%s) to the path of a PJRT plugin (e.g. .../pjrt_c_api_cpu_plugin.so)",
                    PLUGIN_VARIABLE, PLUGIN_PROPERTY), Map.of(), Optional.empty());
        }
        try {
            PjrtPlugin plugin = PjrtPlugin.load(firstPluginPath(setting.get()));
            return new PjrtStatus(String.format(Locale.ROOT, "PJRT plugin %s (API %s) loaded and initialized; crossbar-backend-xla %s runs programs on"
                    + " the first device of its client as %s:0", plugin.library(), plugin.apiVersion(), version(), NAME), plugin.versions(), Optional.of(plugin));
        } catch (IllegalArgumentException | CrossbarException e) {
            return new PjrtStatus(e.getMessage(), Map.of(), Optional.empty());
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
        return Capabilities.declaredBy(ExecutionMode.LAZY_GRAPH, XlaKernels.classes());
    }

    /**
     * Without a PJRT plugin here, every lowering runs on XLA:CPU through TensorFlow Java in the tests, and the collective
     * suite runs there through the backend's process groups, whose SPMD programs are emulated (every replica's graph in
     * one XLA:CPU program), as the note says; FSDP is checked by tiny-GPT training against cpu, not yet by the FSDP suite.
     */
    @Override
    public Verification verification() {
        return new Verification("op conformance kit and tiny-GPT training on XLA:CPU (TensorFlow XlaCallModule), every build", true, false)
                .withCollectiveNote("the collective suite runs on xla process groups that record each collective into the ranks' graphs as StableHLO all_reduce,"
                        + " all_gather, reduce_scatter or all_to_all (send/recv through the host), run as one SPMD program per materialization point;"
                        + " on XLA:CPU that program is emulated with every replica's graph in one module and each collective written as the ops the"
                        + " StableHLO spec defines it by (XlaCallModule runs one replica); the lowered collectives' multi-replica meaning is checked"
                        + " separately against the in-process communicator (2x4 meshes); FSDP tiny-GPT training on 2 and 4 ranks matches cpu FSDP"
                        + " within 1e-5 with the step compiled once (the FSDP suite is not yet part of the build); not run on a multi-device PJRT"
                        + " plugin: none here, and the PJRT executor runs one replica");
    }

    /**
     * Creates the backend on the executor the probe found, in the order the class describes.
     *
     * @throws XlaExecutorUnavailableException if neither a PJRT plugin nor the selected verification executor can run
     *     programs, with what each lacks
     * @throws CrossbarException if the plugin's client cannot be created, with PJRT's error
     */
    @Override
    public Backend create(BackendContext context) {
        Availability availability = probe(context);
        if (!availability.available()) {
            throw new XlaExecutorUnavailableException("Backend '" + NAME + "' cannot be created: " + availability.reason());
        }
        if (context.property(EXECUTOR_PROPERTY).map(String::strip).filter(TENSORFLOW_EXECUTOR::equals).isPresent()) {
            return new XlaBackend(availability.devices(), new LazyEngine(new SpmdEmulationExecutor(new TensorFlowExecutor())));
        }
        PjrtPlugin plugin = pjrtStatus(context).plugin().orElseThrow();
        return new XlaBackend(availability.devices(), new LazyEngine(new PjrtExecutor(PjrtClient.create(plugin))));
    }

    private static String version() {
        return Optional.ofNullable(XlaBackendProvider.class.getModule().getDescriptor())
                .flatMap(ModuleDescriptor::rawVersion)
                .orElse("(version unknown: loaded from the class path)");
    }
}
