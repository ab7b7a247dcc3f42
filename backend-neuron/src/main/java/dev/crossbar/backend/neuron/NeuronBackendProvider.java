package dev.crossbar.backend.neuron;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.backend.xla.internal.tf.TensorFlowExecutor;
import dev.crossbar.backend.xla.internal.tf.TensorFlowRuntime;
import dev.crossbar.backend.xla.executor.PjrtExecutor;
import dev.crossbar.backend.xla.executor.SpmdEmulationExecutor;
import dev.crossbar.backend.xla.pjrt.CompileOptions;
import dev.crossbar.backend.xla.pjrt.PjrtClient;
import dev.crossbar.backend.xla.pjrt.PjrtPlugin;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Verification;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Provides the Neuron backend; its probe looks for the Neuron PJRT plugin, the Neuron runtime and {@code /dev/neuron*}
 * devices, then loads and initializes the plugin, reads its versions from {@code PJRT_Plugin_Attributes} and validates
 * the NeuronCore settings against the instance type. The plugin is the setting {@code crossbar.neuron.pjrt.plugin}
 * (the environment variable {@code CROSSBAR_NEURON_PJRT_PLUGIN} sets it too), else the first {@code libneuronpjrt.so}
 * found in {@code /opt/aws/neuron/lib} or a {@code libneuronxla} Python package under {@code /usr/lib/python3*} or
 * {@code /usr/local/lib/python3*}. The instance type is the setting {@code crossbar.neuron.instance.type}, else the
 * DMI product name EC2 gives its instances ({@code /sys/devices/virtual/dmi/id/product_name}). The compile cache folder
 * is the setting {@code crossbar.neuron.compile.cache}, else {@code ~/.cache/crossbar/neuron}; its use is reported with
 * the versions whether or not the backend is available. When all of these are found, the backend runs programs on the
 * first NeuronCore of the plugin's client ({@code neuron:0}) through the xla backend's PJRT executor, compiling them
 * with {@link NeuronCompiler}, which reuses the compile cache.
 *
 * <p>The setting {@code crossbar.neuron.executor=tensorflow} selects the verification executor instead: Neuron
 * programs, checked by {@link NeuronProgramRules} (settings {@code crossbar.neuron.compute.type} and
 * {@code crossbar.neuron.f64}), run on XLA:CPU through the xla backend's TensorFlow Java executor, on
 * {@code crossbar.neuron.devices} devices (default 1). It is never chosen by itself.
 */
public final class NeuronBackendProvider implements BackendProvider {
    static final String NAME = "neuron";
    static final String PLUGIN_PROPERTY = "crossbar.neuron.pjrt.plugin";
    static final String PLUGIN_VARIABLE = "CROSSBAR_NEURON_PJRT_PLUGIN";
    static final String INSTANCE_TYPE_PROPERTY = "crossbar.neuron.instance.type";
    static final String EXECUTOR_PROPERTY = "crossbar.neuron.executor";
    static final String TENSORFLOW_EXECUTOR = "tensorflow";
    static final String DEVICES_PROPERTY = "crossbar.neuron.devices";
    private static final String PRODUCT_NAME = "sys/devices/virtual/dmi/id/product_name";
    private static final String PLUGIN_FILE = "libneuronpjrt.so";
    private static final String RUNTIME_FILE = "libnrt.so.1";
    private static final String NEURON_LIB = "opt/aws/neuron/lib";
    private static final List<String> PYTHON_LIBS = List.of("usr/lib", "usr/local/lib");

    private final UnaryOperator<String> environment;
    private final Path root;

    /** Creates the provider reading this process's environment and this machine's file system. */
    public NeuronBackendProvider() {
        this(System::getenv, Path.of("/"));
    }

    NeuronBackendProvider(UnaryOperator<String> environment, Path root) {
        this.environment = environment;
        this.root = root;
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
        return 80;
    }

    @Override
    public Availability probe(BackendContext context) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("compile.cache", describeCompileCache(context));
        Optional<String> executor = context.property(EXECUTOR_PROPERTY).map(String::strip).filter(e -> !e.isEmpty());
        if (executor.isPresent()) {
            return probeVerificationExecutor(context, executor.get(), versions);
        }
        List<String> missing = new ArrayList<>();
        Optional<Path> plugin = findPlugin(context, missing);
        Optional<Path> runtime = findRuntime(missing);
        List<Path> devices = findDevices();
        if (devices.isEmpty()) {
            missing.add(String.format(Locale.ROOT,
                    "no %s devices (the Neuron driver, aws-neuronx-dkms, creates them on Trainium and Inferentia instances)", root.resolve("dev/neuron*")));
        }
        if (!missing.isEmpty()) {
            return Availability.unavailable(String.join("; ", missing), versions);
        }
        try {
            PjrtPlugin loaded = PjrtPlugin.load(plugin.orElseThrow());
            versions.putAll(loaded.versions());
            NeuronTopology topology = NeuronTopology.of(instanceType(context), environment);
            NeuronProgramRules rules = NeuronProgramRules.fromSettings(context::property);
            versions.put("topology", topology.toString());
            versions.put("program.rules", rules.describe());
            versions.put("executor", String.format(Locale.ROOT, "Neuron PJRT plugin %s (API %s) with Neuron runtime %s and devices %s;"
                    + " crossbar-backend-neuron %s runs programs on the first NeuronCore of its client as %s:0, compiled through the compile cache",
                    loaded.library(), loaded.apiVersion(), runtime.orElseThrow(), devices, version(), NAME));
            return Availability.available(List.of(new Device(NAME, 0)), versions);
        } catch (IllegalArgumentException | CrossbarException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
    }

    /**
     * The verification executor, selected explicitly: Neuron programs run on XLA:CPU through the xla backend's
     * TensorFlow Java executor, which must load.
     */
    private static Availability probeVerificationExecutor(BackendContext context, String executor, Map<String, String> versions) {
        if (!executor.equals(TENSORFLOW_EXECUTOR)) {
            return Availability.unavailable(String.format(Locale.ROOT, "unknown %s '%s'; the only executor besides the Neuron PJRT plugin is '%s'",
                    EXECUTOR_PROPERTY, executor, TENSORFLOW_EXECUTOR), versions);
        }
        Optional<String> tensorflow = TensorFlowRuntime.version();
        if (tensorflow.isEmpty()) {
            return Availability.unavailable(String.format(Locale.ROOT, "%s=%s but TensorFlow Java is not on the class or module path; add %s",
                    EXECUTOR_PROPERTY, TENSORFLOW_EXECUTOR, TensorFlowRuntime.ARTIFACTS), versions);
        }
        int devices;
        NeuronProgramRules rules;
        try {
            devices = TensorFlowRuntime.deviceCount(DEVICES_PROPERTY, context.property(DEVICES_PROPERTY));
            rules = NeuronProgramRules.fromSettings(context::property);
        } catch (IllegalArgumentException | NeuronConfigurationException e) {
            return Availability.unavailable(e.getMessage(), versions);
        }
        try {
            versions.put("tensorflow", TensorFlowRuntime.loadNative());
        } catch (IllegalStateException e) {
            return Availability.unavailable(String.format(Locale.ROOT, "TensorFlow Java %s is present but its native library did not load (%s);"
                    + " the verification executor needs linux-x86_64 and %s", tensorflow.get(), e.getMessage(), TensorFlowRuntime.ARTIFACTS), versions);
        }
        versions.put("tensorflow-java", tensorflow.get());
        versions.put("executor", "XLA:CPU through TensorFlow Java XlaCallModule (verification, no NeuronCore)");
        versions.put("program.rules", rules.describe());
        return Availability.available(IntStream.range(0, devices).mapToObj(i -> new Device(NAME, i)).toList(), versions);
    }

    private static String describeCompileCache(BackendContext context) {
        NeuronCompileCache cache = new NeuronCompileCache(NeuronCompileCache.defaultFolder(context.property(NeuronCompileCache.FOLDER_PROPERTY)));
        try {
            return cache.describe();
        } catch (UncheckedIOException e) {
            return cache.folder() + ": unreadable (" + e.getCause().getMessage() + ")";
        }
    }

    private NeuronInstanceType instanceType(BackendContext context) {
        Optional<String> configured = context.property(INSTANCE_TYPE_PROPERTY).filter(s -> !s.isBlank());
        if (configured.isPresent()) {
            return NeuronInstanceType.named(configured.get());
        }
        Path productName = root.resolve(PRODUCT_NAME);
        try {
            if (Files.isRegularFile(productName)) {
                return NeuronInstanceType.named(Files.readString(productName, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT, "cannot read the instance type from %s (%s); set -D%s",
                    productName, e.getMessage(), INSTANCE_TYPE_PROPERTY));
        }
        throw new NeuronConfigurationException(String.format(Locale.ROOT, "the instance type is unknown: %s does not exist; set -D%s (or %s)"
                + " to one of %s", productName, INSTANCE_TYPE_PROPERTY, "CROSSBAR_NEURON_INSTANCE_TYPE",
                NeuronInstanceType.KNOWN.stream().map(NeuronInstanceType::name).toList()));
    }

    private Optional<Path> findPlugin(BackendContext context, List<String> missing) {
        Optional<String> setting = context.property(PLUGIN_PROPERTY).filter(s -> !s.isBlank());
        if (setting.isPresent()) {
            Path configured = Path.of(setting.get()).toAbsolutePath();
            if (Files.isRegularFile(configured)) {
                return Optional.of(configured);
            }
            missing.add(String.format(Locale.ROOT, "Neuron PJRT plugin %s (set by %s or -D%s) does not exist",
                    configured, PLUGIN_VARIABLE, PLUGIN_PROPERTY));
            return Optional.empty();
        }
        List<String> lookedIn = new ArrayList<>();
        lookedIn.add(root.resolve(NEURON_LIB).toString());
        List<Path> candidates = new ArrayList<>();
        candidates.add(root.resolve(NEURON_LIB).resolve(PLUGIN_FILE));
        for (String pythonLib : PYTHON_LIBS) {
            lookedIn.add(root.resolve(pythonLib) + "/python3*/*/libneuronxla");
            candidates.addAll(pythonPackagePlugins(root.resolve(pythonLib)));
        }
        Optional<Path> found = candidates.stream().filter(Files::isRegularFile).findFirst();
        if (found.isEmpty()) {
            missing.add(String.format(Locale.ROOT, "Neuron PJRT plugin %s not found (looked in: %s); install the libneuronxla Python package"
                    + " or set %s to the plugin's path", PLUGIN_FILE, String.join(", ", lookedIn), PLUGIN_VARIABLE));
        }
        return found;
    }

    /** Lists {@code <lib>/python3*}{@code /<site or dist-packages>/libneuronxla/libneuronpjrt.so}, in name order. */
    private static List<Path> pythonPackagePlugins(Path lib) {
        if (!Files.isDirectory(lib)) {
            return List.of();
        }
        List<Path> plugins = new ArrayList<>();
        try (DirectoryStream<Path> pythons = Files.newDirectoryStream(lib, python -> python.getFileName().toString().startsWith("python3")
                && Files.isDirectory(python))) {
            for (Path python : pythons) {
                try (Stream<Path> packageDirs = Files.list(python)) {
                    packageDirs.map(dir -> dir.resolve("libneuronxla").resolve(PLUGIN_FILE)).forEach(plugins::add);
                }
            }
        } catch (IOException e) {
            // A folder this process cannot read holds no plugin it could load; the reason lists where it looked.
        }
        return plugins.stream().sorted().toList();
    }

    private Optional<Path> findRuntime(List<String> missing) {
        List<Path> directories = new ArrayList<>();
        directories.add(root.resolve(NEURON_LIB));
        Optional.ofNullable(environment.apply("LD_LIBRARY_PATH")).stream()
                .flatMap(path -> Stream.of(path.split(File.pathSeparator)))
                .filter(dir -> !dir.isBlank())
                .map(Path::of)
                .forEach(directories::add);
        Optional<Path> found = directories.stream().map(dir -> dir.resolve(RUNTIME_FILE)).filter(Files::isRegularFile).findFirst();
        if (found.isEmpty()) {
            missing.add(String.format(Locale.ROOT, "Neuron runtime %s not found (looked in: %s); install aws-neuronx-runtime-lib",
                    RUNTIME_FILE, String.join(", ", directories.stream().map(Path::toString).toList())));
        }
        return found;
    }

    private List<Path> findDevices() {
        Path dev = root.resolve("dev");
        if (!Files.isDirectory(dev)) {
            return List.of();
        }
        List<Path> devices = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dev, "neuron*")) {
            entries.forEach(devices::add);
        } catch (IOException e) {
            // An unreadable /dev lists no devices; the reason then says none were found there.
            return List.of();
        }
        return devices.stream().sorted().toList();
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.LAZY_GRAPH, List.of(NeuronKernels.class));
    }

    /**
     * Without Trainium here, every Neuron program runs on XLA:CPU in the tests, after the same rules checks; the PJRT
     * path (compile cache, PJRT executor) is run against a fake PJRT plugin.
     */
    @Override
    public Verification verification() {
        return Verification.ofCells("op conformance kit and BF16 tiny-GPT on XLA:CPU under Neuron program rules")
                .withCollectiveNote("neuron's process groups are xla's, which record collectives into SPMD programs, checked at creation"
                        + " against the instance's visible NeuronCores, and FSDP/HSDP meshes checked against them when Fsdp.fullyShard sets up"
                        + " (rank-to-core map and mesh checks unit-tested for trn1, trn2 with LNC=2 and inf2); the"
                        + " collective and FSDP suites are not run on neuron (their F64 cases have no NeuronCore type); FSDP tiny-GPT training on 2 ranks"
                        + " and HSDP on a 2x2 mesh in BF16 are checked against cpu on XLA:CPU under Neuron rules (SPMD emulated); the Neuron PJRT plugin runs one replica,"
                        + " so SPMD programs are refused there");
    }

    /**
     * Creates the backend: on the verification executor when {@code crossbar.neuron.executor=tensorflow} asks for it,
     * otherwise on the Neuron PJRT plugin the probe found, whose client runs programs on its first NeuronCore after
     * {@link NeuronCompiler} compiled them or loaded them from the compile cache.
     *
     * @throws CrossbarException with the probe's reason when the backend is unavailable, or PJRT's error when the
     *     plugin's client cannot be created
     */
    @Override
    public Backend create(BackendContext context) {
        Availability availability = probe(context);
        if (!availability.available()) {
            throw new CrossbarException("Backend '" + NAME + "' cannot be created: " + availability.reason());
        }
        NeuronProgramRules rules = NeuronProgramRules.fromSettings(context::property);
        if (context.property(EXECUTOR_PROPERTY).map(String::strip).filter(e -> !e.isEmpty()).isPresent()) {
            NeuronExecutor verification = new NeuronExecutor(new TensorFlowExecutor(), rules);
            // A verification run checks its process groups against the instance type it names, if it names one.
            Optional<NeuronTopology> topology = context.property(INSTANCE_TYPE_PROPERTY).filter(t -> !t.isBlank())
                    .map(t -> NeuronTopology.of(NeuronInstanceType.named(t), environment));
            return new NeuronBackend(availability.devices(), verification, new SpmdEmulationExecutor(verification), rules, topology);
        }
        PjrtClient client = PjrtClient.create(PjrtPlugin.load(findPlugin(context, new ArrayList<>()).orElseThrow()));
        NeuronCompileCache cache = new NeuronCompileCache(NeuronCompileCache.defaultFolder(context.property(NeuronCompileCache.FOLDER_PROPERTY)));
        NeuronCompiler compiler = new NeuronCompiler(client, cache, NeuronCompiler.compilerFlags(environment));
        PjrtExecutor runtime = new PjrtExecutor(client, (owner, stableHlo) -> compiler.compile(stableHlo, CompileOptions.SINGLE_DEVICE));
        NeuronExecutor neuron = new NeuronExecutor(runtime, rules);
        return new NeuronBackend(availability.devices(), neuron, neuron, rules, Optional.of(NeuronTopology.of(instanceType(context), environment)));
    }

    private static String version() {
        return Optional.ofNullable(NeuronBackendProvider.class.getModule().getDescriptor())
                .flatMap(ModuleDescriptor::rawVersion)
                .orElse("(version unknown: loaded from the class path)");
    }
}
