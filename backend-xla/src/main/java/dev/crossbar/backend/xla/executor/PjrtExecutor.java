package dev.crossbar.backend.xla.executor;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.backend.xla.pjrt.HostArray;
import dev.crossbar.backend.xla.pjrt.PjrtClient;
import dev.crossbar.backend.xla.pjrt.PjrtExecutable;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs StableHLO on the first device of a PJRT client: the executor for real XLA devices (a PJRT plugin for CPU, GPU,
 * TPU or Neuron). It owns the client and closes it. Results are checked against the types given at compilation,
 * as the verification executor checks them.
 */
public final class PjrtExecutor implements XlaExecutor {
    private final PjrtClient client;
    private final Compilation compilation;

    /** Turns a module into an executable loaded on a client: the client's own compiler, or one that caches its results. */
    @FunctionalInterface
    public interface Compilation {
        /**
         * Compiles a module for one device.
         *
         * @param client the client the executable is loaded on
         * @param stableHlo the module as StableHLO MLIR text
         * @return the loaded executable
         * @throws CrossbarException with PJRT's error if the module does not compile
         */
        PjrtExecutable compile(PjrtClient client, String stableHlo);
    }

    /**
     * Wraps a client, compiling with its own compiler.
     *
     * @param client the client, closed with this executor
     */
    public PjrtExecutor(PjrtClient client) {
        this(client, PjrtClient::compile);
    }

    /**
     * Wraps a client, compiling through a hook such as a persistent compile cache.
     *
     * @param client the client, closed with this executor
     * @param compilation how modules become executables on {@code client}
     */
    public PjrtExecutor(PjrtClient client, Compilation compilation) {
        this.client = client;
        this.compilation = compilation;
    }

    @Override
    public String platform() {
        return String.format(Locale.ROOT, "%s (%s) through PJRT plugin %s (API %s)", client.platformName(), client.platformVersion(),
                client.plugin().library(), client.plugin().apiVersion());
    }

    /** Runs on the client's first device only. */
    @Override
    public int replicas() {
        return 1;
    }

    @Override
    public XlaExecutable compile(String stableHlo, List<ValueType> parameters, List<ValueType> results) {
        PjrtExecutable executable;
        try {
            executable = compilation.compile(client, stableHlo);
        } catch (CrossbarException e) {
            throw new XlaExecutionException("PJRT could not compile the module: " + e.getMessage(), e);
        }
        if (executable.outputCount() != results.size()) {
            executable.close();
            throw new XlaExecutionException(String.format(Locale.ROOT, "the compiled module returns %d results; %d were declared: %s",
                    executable.outputCount(), results.size(), results), null);
        }
        return new Executable(client, executable, List.copyOf(parameters), List.copyOf(results));
    }

    @Override
    public void close() {
        client.close();
    }

    private record Executable(PjrtClient client, PjrtExecutable executable, List<ValueType> parameters, List<ValueType> results)
            implements XlaExecutable {

        @Override
        public List<MemorySegment> execute(List<MemorySegment> arguments) {
            if (arguments.size() != parameters.size()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "the module takes %d arguments, got %d", parameters.size(), arguments.size()));
            }
            List<HostArray> inputs = new ArrayList<>();
            for (int i = 0; i < arguments.size(); i++) {
                ValueType type = parameters.get(i);
                if (arguments.get(i).byteSize() != type.byteSize()) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "argument %d has %d bytes; %s needs %d", i,
                            arguments.get(i).byteSize(), type, type.byteSize()));
                }
                inputs.add(new HostArray(type.dtype(), type.shape(), arguments.get(i)));
            }
            List<HostArray> outputs;
            try {
                outputs = client.execute(executable, inputs);
            } catch (CrossbarException e) {
                throw new XlaExecutionException("PJRT execution failed: " + e.getMessage(), e);
            }
            List<MemorySegment> values = new ArrayList<>();
            for (int i = 0; i < outputs.size(); i++) {
                HostArray output = outputs.get(i);
                ValueType expected = results.get(i);
                if (output.dtype() != expected.dtype() || !output.shape().equals(expected.shape())) {
                    throw new XlaExecutionException(String.format(Locale.ROOT, "result %d came back as %s%s; the module declares %s", i,
                            output.dtype().shortName(), output.shape(), expected), null);
                }
                values.add(output.data());
            }
            return values;
        }

        @Override
        public void close() {
            executable.close();
        }
    }
}
