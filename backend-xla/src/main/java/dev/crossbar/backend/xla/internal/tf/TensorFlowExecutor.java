package dev.crossbar.backend.xla.internal.tf;

import dev.crossbar.api.DType;
import dev.crossbar.backend.xla.executor.XlaExecutable;
import dev.crossbar.backend.xla.executor.XlaExecutionException;
import dev.crossbar.backend.xla.executor.XlaExecutor;
import dev.crossbar.backend.xla.stablehlo.StableHloLowering;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.RawTensor;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Runs StableHLO on XLA:CPU through TensorFlow Java's {@code XlaCallModule} op (serialization version 9, platform
 * CPU): each module becomes a TensorFlow graph of placeholders, the call and its outputs, run by one session. The
 * verification executor of the xla backend: the same lowering a PJRT plugin would compile, on real XLA.
 *
 * <p>TensorFlow Java has no I8 tensor class, so I8 values travel as U8 and are bitcast around the call. It has no FP8
 * tensor classes either, and TensorFlow's {@code Bitcast} takes no FP8 type, so FP8 values travel as U8 into a module
 * rewritten by {@link StableHloLowering#withFloat8AsBytes} to bitcast them inside. The op does not
 * check its declared output shapes against the module, so {@link XlaExecutable#execute} compares them itself.
 */
public final class TensorFlowExecutor implements XlaExecutor {
    private static final long XLA_CALL_MODULE_VERSION = 9;

    /** Creates the executor; loads TensorFlow's native library on first use of a session. */
    public TensorFlowExecutor() {
    }

    @Override
    public String platform() {
        return "XLA:CPU through TensorFlow Java " + TensorFlowRuntime.version().orElseThrow() + " XlaCallModule";
    }

    /**
     * One: {@code XlaCallModule} runs a module as one replica. It does not refuse {@code mhlo.num_replicas = 2}: a
     * two-replica sum comes back as the one replica's operand (measured with TensorFlow Java 1.1.0).
     */
    @Override
    public int replicas() {
        return 1;
    }

    @Override
    public XlaExecutable compile(String stableHlo, List<ValueType> parameters, List<ValueType> results) {
        if (stableHlo.contains("\"stablehlo.collective_permute\"")) {
            // TensorFlow Java 1.1.0 gives XLA:CPU no device assignment; collective_permute then dereferences it and the
            // JVM dies (SIGSEGV in xla::DeviceAssignment::LogicalIdForDevice), where other collectives fail with a status.
            throw new XlaExecutionException("XlaCallModule crashes the process on stablehlo.collective_permute (no device assignment);"
                    + " run SPMD programs with collective_permute through a PJRT plugin", null);
        }
        Graph graph = new Graph();
        try {
            List<String> feeds = new ArrayList<>();
            List<Output<?>> arguments = new ArrayList<>();
            for (int i = 0; i < parameters.size(); i++) {
                ValueType p = parameters.get(i);
                String name = "argument" + i;
                Operation placeholder = graph.opBuilder("Placeholder", name, graph.baseScope()).setAttr("dtype", carrier(p.dtype())).setAttr("shape", shape(p)).build();
                feeds.add(name);
                arguments.add(p.dtype() == DType.I8 ? bitcast(graph, placeholder.output(0), DataType.DT_INT8, "argument_i8_" + i) : placeholder.output(0));
            }
            Operation call = graph.opBuilder("XlaCallModule", "module", graph.baseScope())
                    .addInputList(arguments.toArray(Output[]::new))
                    .setAttr("version", XLA_CALL_MODULE_VERSION)
                    .setAttr("module", StableHloLowering.withFloat8AsBytes(stableHlo, parameters, results).getBytes(StandardCharsets.UTF_8))
                    .setAttr("Sout", results.stream().map(TensorFlowExecutor::shape).toArray(Shape[]::new))
                    .setAttr("Tout", results.stream().map(r -> tfType(r.dtype())).toArray(DataType[]::new))
                    .setAttr("platforms", new String[] {"CPU"})
                    .build();
            List<Output<?>> fetches = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                Output<?> out = call.output(i);
                fetches.add(results.get(i).dtype() == DType.I8 ? bitcast(graph, out, DataType.DT_UINT8, "result_u8_" + i) : out);
            }
            return new Executable(graph, new Session(graph), feeds, fetches, parameters, results);
        } catch (RuntimeException e) {
            graph.close();
            throw new XlaExecutionException("XlaCallModule rejected the StableHLO module (TensorFlow prints the line and column on native stderr): "
                    + e.getMessage() + "\n" + stableHlo, e);
        }
    }

    @Override
    public void close() {
    }

    private static Output<?> bitcast(Graph graph, Output<?> value, DataType type, String name) {
        return graph.opBuilder("Bitcast", name, graph.baseScope()).addInput(value).setAttr("type", type).build().output(0);
    }

    private static Shape shape(ValueType type) {
        return Shape.of(Arrays.stream(type.shape().dims()).asLongStream().toArray());
    }

    private static DataType tfType(DType dtype) {
        return switch (dtype) {
            case F32 -> DataType.DT_FLOAT;
            case F64 -> DataType.DT_DOUBLE;
            case F16 -> DataType.DT_HALF;
            case BF16 -> DataType.DT_BFLOAT16;
            case I8 -> DataType.DT_INT8;
            case I32 -> DataType.DT_INT32;
            case I64 -> DataType.DT_INT64;
            case BOOL -> DataType.DT_BOOL;
            // TensorFlow's Bitcast takes no FP8 type: the module is wrapped to take and give FP8 as bytes instead.
            case F8E4M3FN, F8E5M2 -> DataType.DT_UINT8;
        };
    }

    /** The type a value is fed and fetched as: I8 as U8, for which TensorFlow Java has a tensor class. */
    private static DataType carrier(DType dtype) {
        return dtype == DType.I8 ? DataType.DT_UINT8 : tfType(dtype);
    }

    private static Class<? extends TType> tensorClass(DType dtype) {
        return switch (dtype) {
            case F32 -> TFloat32.class;
            case F64 -> TFloat64.class;
            case F16 -> TFloat16.class;
            case BF16 -> TBfloat16.class;
            case I8 -> TUint8.class;
            case I32 -> TInt32.class;
            case I64 -> TInt64.class;
            case BOOL -> TBool.class;
            case F8E4M3FN, F8E5M2 -> TUint8.class;
        };
    }

    private static final class Executable implements XlaExecutable {
        private final Graph graph;
        private final Session session;
        private final List<String> feeds;
        private final List<Output<?>> fetches;
        private final List<ValueType> parameters;
        private final List<ValueType> results;

        Executable(Graph graph, Session session, List<String> feeds, List<Output<?>> fetches, List<ValueType> parameters, List<ValueType> results) {
            this.graph = graph;
            this.session = session;
            this.feeds = feeds;
            this.fetches = fetches;
            this.parameters = parameters;
            this.results = results;
        }

        @Override
        public List<MemorySegment> execute(List<MemorySegment> arguments) {
            if (arguments.size() != parameters.size()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "the module takes %d arguments, got %d", parameters.size(), arguments.size()));
            }
            List<Tensor> inputs = new ArrayList<>();
            try {
                Session.Runner runner = session.runner();
                for (int i = 0; i < arguments.size(); i++) {
                    ValueType p = parameters.get(i);
                    MemorySegment a = arguments.get(i);
                    if (a.byteSize() != p.byteSize()) {
                        throw new IllegalArgumentException(String.format(Locale.ROOT, "argument %d has %d bytes; %s needs %d", i, a.byteSize(), p, p.byteSize()));
                    }
                    Tensor t = Tensor.of(tensorClass(p.dtype()), shape(p), DataBuffers.of(a.toArray(ValueLayout.JAVA_BYTE), true, false));
                    inputs.add(t);
                    runner.feed(feeds.get(i), t);
                }
                fetches.forEach(runner::fetch);
                try (Result out = runner.run()) {
                    List<MemorySegment> values = new ArrayList<>();
                    for (int i = 0; i < results.size(); i++) {
                        values.add(hostCopy(out.get(i).asRawTensor(), results.get(i), i));
                    }
                    return values;
                }
            } catch (RuntimeException e) {
                if (e instanceof XlaExecutionException || e instanceof IllegalArgumentException) {
                    throw e;
                }
                throw new XlaExecutionException("XlaCallModule failed: " + e.getMessage(), e);
            } finally {
                inputs.forEach(Tensor::close);
            }
        }

        private static MemorySegment hostCopy(RawTensor tensor, ValueType expected, int index) {
            long[] dims = tensor.shape().asArray();
            long[] want = Arrays.stream(expected.shape().dims()).asLongStream().toArray();
            if (!Arrays.equals(dims, want) || tensor.numBytes() != expected.byteSize()) {
                throw new XlaExecutionException(String.format(Locale.ROOT, "result %d came back as %s %s (%d bytes); the module declares %s",
                        index, tensor.dataType(), Arrays.toString(dims), tensor.numBytes(), expected), null);
            }
            byte[] bytes = new byte[Math.toIntExact(tensor.numBytes())];
            tensor.data().read(bytes);
            MemorySegment host = Arena.ofAuto().allocate(Math.max(1, bytes.length), 8).asSlice(0, bytes.length);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, host, 0, bytes.length);
            return host;
        }

        @Override
        public void close() {
            session.close();
            graph.close();
        }
    }
}
