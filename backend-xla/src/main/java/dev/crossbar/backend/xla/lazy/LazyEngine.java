package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.backend.xla.executor.XlaExecutable;
import dev.crossbar.backend.xla.executor.XlaExecutionException;
import dev.crossbar.backend.xla.executor.XlaExecutor;
import dev.crossbar.backend.xla.stablehlo.StableHloLowering;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Lazy execution for the xla backend. Kernels read buffers as lazy values and record results into them; a
 * materialization ({@link #synchronize()}, reading a buffer, a partial host write) turns every value still held by an
 * open buffer into one {@link Graph}, compiles it once per distinct structure with the {@link XlaExecutor} (scalars and
 * buffer contents are arguments, never constants) and runs it.
 */
public final class LazyEngine implements AutoCloseable {
    private final XlaExecutor executor;
    private final Map<Graph, XlaExecutable> compiled = new HashMap<>();
    private final Set<XlaBuffer> pending = new LinkedHashSet<>();
    private long sequence;
    private long compilations;
    private long executions;

    /**
     * Creates an engine running its graphs on an executor.
     *
     * @param executor the executor; closed with the engine
     */
    public LazyEngine(XlaExecutor executor) {
        this.executor = executor;
    }

    /**
     * Returns the executor.
     *
     * @return the executor
     */
    public XlaExecutor executor() {
        return executor;
    }

    /**
     * Allocates a buffer; it reads as zeros until written.
     *
     * @param device the device
     * @param byteSize its size
     * @return the buffer
     */
    public synchronized DeviceBuffer allocate(Device device, long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("byteSize must be >= 0, got " + byteSize);
        }
        return new XlaBuffer(this, device, byteSize);
    }

    /**
     * Reads a view as a lazy value of its shape and type.
     *
     * @param view the view
     * @return the value
     */
    public synchronized LazyValue read(TensorView view) {
        XlaBuffer buffer = buffer(view.buffer());
        return Views.read(flat(buffer, view.dtype()), view);
    }

    /**
     * Records {@code value} as the new contents of a view.
     *
     * @param view the written view
     * @param value a value of the view's shape and type
     */
    public synchronized void write(TensorView view, LazyValue value) {
        XlaBuffer buffer = buffer(view.buffer());
        if (!value.type().equals(new ValueType(view.dtype(), view.shape()))) {
            throw new IllegalArgumentException("cannot write " + value.type() + " into " + view);
        }
        ValueType whole = flatType(buffer, view.dtype());
        boolean covers = view.isContiguous() && view.offset() == 0 && view.size() == whole.size() && whole.byteSize() == buffer.byteSize();
        LazyValue contents = covers ? Ops.reshape(value, whole.shape()) : Views.write(flat(buffer, view.dtype()), view, value);
        buffer.record(contents, ++sequence);
        pending.add(buffer);
    }

    /**
     * Returns a view's elements as longs on the host (materializing first if needed), for the checks that depend on
     * data: index bounds of gather and scatter_add, integer division by zero.
     *
     * @param view an integer view
     * @return the elements in row-major order
     */
    public synchronized long[] hostLongs(TensorView view) {
        XlaBuffer buffer = buffer(view.buffer());
        if (buffer.pending() != null) {
            synchronize();
        }
        MemorySegment data = buffer.contents();
        long[] out = new long[Math.toIntExact(view.size())];
        int rank = view.shape().rank();
        int[] position = new int[rank];
        for (int i = 0; i < out.length; i++) {
            long element = view.offset();
            for (int k = 0; k < rank; k++) {
                element += position[k] * view.stride(k);
            }
            out[i] = switch (view.dtype()) {
                case I8, BOOL -> data.get(ValueLayout.JAVA_BYTE, element);
                case I32 -> data.getAtIndex(ValueLayout.JAVA_INT, element);
                case I64 -> data.getAtIndex(ValueLayout.JAVA_LONG, element);
                default -> throw new IllegalArgumentException("hostLongs reads integer views, not " + view.dtype());
            };
            for (int k = rank - 1; k >= 0 && ++position[k] == view.shape().dim(k); k--) {
                position[k] = 0;
            }
        }
        return out;
    }

    /**
     * Tells whether every index a view can hold is in {@code [0, size)} by the ops that recorded it, so a gather or
     * scatter_add can check it without running the graph. False when that does not follow (the caller then checks the
     * values on the host) and for materialized buffers, whose values {@link #hostLongs} reads without running anything.
     *
     * @param index an integer view
     * @param size the size of the indexed axis
     * @return true when the indices are provably in range
     */
    public synchronized boolean indicesProvablyWithin(TensorView index, long size) {
        LazyValue recorded = buffer(index.buffer()).pending();
        if (recorded == null || recorded.type().dtype() != index.dtype()) {
            return false;
        }
        return IndexBounds.of(recorded).map(b -> b[0] >= 0 && b[1] < size).orElse(false);
    }

    /**
     * Copies host memory into a buffer. A whole-buffer copy replaces any recorded value; a partial one materializes
     * the buffer first.
     *
     * @param source the host memory
     * @param destination the buffer
     * @param offset byte offset in the buffer
     */
    public synchronized void copyFromHost(MemorySegment source, DeviceBuffer destination, long offset) {
        XlaBuffer buffer = buffer(destination);
        checkRange(buffer, offset, source.byteSize());
        MemorySegment data = Arena.ofAuto().allocate(buffer.byteSize(), 8);
        if (offset != 0 || source.byteSize() != buffer.byteSize()) {
            if (buffer.pending() != null) {
                synchronize();
            }
            data.copyFrom(buffer.contents());
        }
        MemorySegment.copy(source, 0, data, offset, source.byteSize());
        buffer.materialize(data);
        pending.remove(buffer);
    }

    /**
     * Copies part of a buffer to the host, running the pending graph first if the buffer has a recorded value.
     *
     * @param source the buffer
     * @param offset byte offset in it
     * @param destination the host memory
     */
    public synchronized void copyToHost(DeviceBuffer source, long offset, MemorySegment destination) {
        XlaBuffer buffer = buffer(source);
        checkRange(buffer, offset, destination.byteSize());
        if (buffer.pending() != null) {
            synchronize();
        }
        MemorySegment.copy(buffer.contents(), offset, destination, 0, destination.byteSize());
    }

    /**
     * Copies between buffers, materializing both first.
     *
     * @param source the source
     * @param sourceOffset byte offset in it
     * @param destination the destination
     * @param destinationOffset byte offset in it
     * @param byteCount bytes to copy
     */
    public synchronized void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        XlaBuffer from = buffer(source);
        checkRange(from, sourceOffset, byteCount);
        if (from.pending() != null) {
            synchronize();
        }
        copyFromHost(from.contents().asSlice(sourceOffset, byteCount), destination, destinationOffset);
    }

    /** Compiles (or reuses) and runs the graph of every value still held by an open buffer. */
    public synchronized void synchronize() {
        List<XlaBuffer> outputs = pending.stream().filter(b -> !b.isClosed() && b.pending() != null)
                .sorted(Comparator.comparingLong(XlaBuffer::writeSequence)).toList();
        pending.clear();
        if (outputs.isEmpty()) {
            return;
        }
        List<LazyValue> order = postorder(outputs.stream().map(XlaBuffer::pending).toList());
        Map<LazyValue, Integer> numbers = new IdentityHashMap<>();
        Graph.Builder builder = new Graph.Builder();
        List<MemorySegment> arguments = new ArrayList<>();
        for (LazyValue v : order) {
            if (v.isLeaf()) {
                numbers.put(v, builder.input(v.type()));
                arguments.add(v.data());
            }
        }
        for (LazyValue v : order) {
            if (!v.isLeaf()) {
                List<Integer> operands = v.operands().stream().map(numbers::get).toList();
                numbers.put(v, builder.add(new Node(v.op(), operands, v.type(), v.attributes())));
            }
        }
        Graph graph = builder.build(outputs.stream().map(b -> numbers.get(b.pending())).toList());
        XlaExecutable executable = compiled.get(graph);
        if (executable == null) {
            int replicas = StableHloLowering.replicas(graph);
            if (replicas > executor.replicas()) {
                throw new XlaExecutionException(String.format(Locale.ROOT, "the recorded program is an SPMD program of %d replicas, but %s runs %d;"
                        + " run it through a PJRT plugin with %d devices", replicas, executor.platform(), executor.replicas(), replicas), null);
            }
            executable = executor.compile(StableHloLowering.lower(graph), graph.inputs(), graph.outputTypes());
            compiled.put(graph, executable);
            compilations++;
        }
        List<MemorySegment> results = executable.execute(arguments);
        executions++;
        for (int i = 0; i < outputs.size(); i++) {
            outputs.get(i).materialize(results.get(i));
        }
    }

    /**
     * Returns how many distinct graphs were compiled.
     *
     * @return the count
     */
    public synchronized long compilations() {
        return compilations;
    }

    /**
     * Returns how many graphs were run.
     *
     * @return the count
     */
    public synchronized long executions() {
        return executions;
    }

    synchronized void release(XlaBuffer buffer) {
        buffer.markClosed();
        pending.remove(buffer);
    }

    /** Frees the compiled programs and the executor. */
    @Override
    public synchronized void close() {
        compiled.values().forEach(XlaExecutable::close);
        compiled.clear();
        executor.close();
    }

    static ValueType flatType(XlaBuffer buffer, DType dtype) {
        return new ValueType(dtype, Shape.of(Math.toIntExact(buffer.byteSize() / dtype.byteSize())));
    }

    /** The buffer's contents as a rank-1 value of {@code dtype}; a value recorded with another type is materialized first. */
    private LazyValue flat(XlaBuffer buffer, DType dtype) {
        LazyValue recorded = buffer.pending();
        if (recorded != null && recorded.type().dtype() == dtype) {
            return recorded;
        }
        if (recorded != null) {
            synchronize();
        }
        return buffer.input(dtype);
    }

    private static List<LazyValue> postorder(List<LazyValue> roots) {
        List<LazyValue> order = new ArrayList<>();
        Set<LazyValue> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        for (LazyValue root : roots) {
            if (seen.add(root)) {
                stack.push(new Object[] {root, 0});
            }
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                LazyValue v = (LazyValue) frame[0];
                int next = (Integer) frame[1];
                if (next < v.operands().size()) {
                    frame[1] = next + 1;
                    LazyValue operand = v.operands().get(next);
                    if (seen.add(operand)) {
                        stack.push(new Object[] {operand, 0});
                    }
                } else {
                    stack.pop();
                    order.add(v);
                }
            }
        }
        return order;
    }

    private static XlaBuffer buffer(DeviceBuffer buffer) {
        if (!(buffer instanceof XlaBuffer x)) {
            throw new IllegalArgumentException("not a buffer of the xla backend: " + buffer);
        }
        x.checkOpen();
        return x;
    }

    private static void checkRange(XlaBuffer buffer, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > buffer.byteSize()) {
            throw new IndexOutOfBoundsException(String.format(Locale.ROOT, "bytes [%d, %d) are outside %s", offset, offset + length, buffer));
        }
    }
}
