package dev.crossbar.backend.neuron;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.backend.xla.pjrt.CompileOptions;
import dev.crossbar.backend.xla.pjrt.PjrtClient;
import dev.crossbar.backend.xla.pjrt.PjrtExecutable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Compiles StableHLO for Neuron through the Neuron PJRT client, reusing executables from the persistent compile cache:
 * a hit loads the serialized executable, a miss compiles and stores it. The key covers the program, the compile
 * options, the plugin (platform name and version, API and XLA versions) and the Neuron compiler flags, which the
 * plugin reads from {@code NEURON_CC_FLAGS}.
 */
final class NeuronCompiler {
    static final String COMPILER_FLAGS = "NEURON_CC_FLAGS";

    private final PjrtClient client;
    private final NeuronCompileCache cache;
    private final String pluginVersion;
    private final List<String> compilerFlags;

    NeuronCompiler(PjrtClient client, NeuronCompileCache cache, List<String> compilerFlags) {
        this.client = client;
        this.cache = cache;
        this.pluginVersion = client.platformName() + " " + client.platformVersion() + " " + client.plugin().versions();
        this.compilerFlags = List.copyOf(compilerFlags);
    }

    /** The flags in {@code NEURON_CC_FLAGS}, split at white space. */
    static List<String> compilerFlags(UnaryOperator<String> environment) {
        return Optional.ofNullable(environment.apply(COMPILER_FLAGS)).map(String::strip).filter(flags -> !flags.isEmpty())
                .map(flags -> Arrays.asList(flags.split("\\s+"))).orElse(List.of());
    }

    /**
     * Returns the executable of a program, from the cache or freshly compiled.
     *
     * @param stableHlo the program as StableHLO MLIR text
     * @param options replicas and partitions
     * @return the loaded executable
     */
    PjrtExecutable compile(String stableHlo, CompileOptions options) {
        NeuronCompileCache.Key key = NeuronCompileCache.key(stableHlo.getBytes(StandardCharsets.UTF_8), options.toProto(), pluginVersion, compilerFlags);
        Optional<byte[]> cached = cache.get(key);
        if (cached.isPresent()) {
            try {
                return client.deserialize(cached.get());
            } catch (CrossbarException e) {
                // An entry the plugin cannot load (written by a build the key does not tell apart) is replaced below.
            }
        }
        PjrtExecutable executable = client.compile(stableHlo, options);
        cache.put(key, client.serialize(executable));
        return executable;
    }
}
