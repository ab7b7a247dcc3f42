package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.api.distributed.CollectiveException;
import dev.crossbar.api.distributed.CollectiveMismatchException;
import dev.crossbar.api.distributed.CollectiveTimeoutException;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.backend.xla.executor.XlaExecutable;
import dev.crossbar.backend.xla.executor.XlaExecutionException;
import dev.crossbar.backend.xla.executor.XlaExecutor;
import dev.crossbar.backend.xla.executor.XlaSpmdExecutable;
import dev.crossbar.backend.xla.stablehlo.StableHloLowering;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.CollectiveOp;
import dev.crossbar.spi.graph.Graph;
import dev.crossbar.spi.graph.Node;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Lazy execution for the xla backend. Kernels read buffers as lazy values and record results into them; a
 * materialization ({@link #synchronize()}, reading a buffer, a partial host write) turns every value still held by an
 * open buffer into one {@link Graph}, compiles it once per distinct structure with the {@link XlaExecutor} (scalars and
 * buffer contents are arguments, never constants) and runs it.
 *
 * <p>Materialization is per device, so that in an SPMD run each rank (one device each, bound by its process groups,
 * {@link LazyCommunicatorFactory}) runs only its own graph. A rank's graph that holds collectives is its part of an SPMD
 * program: the rank waits until every rank the collectives name has reached its own materialization point, and the
 * parts run together as the replicas of one compiled program ({@link XlaExecutor#compileSpmd}), so a training step
 * under FSDP is one program per materialization point, compiled once.
 */
public final class LazyEngine implements AutoCloseable {
    /** The operation named in the errors of SPMD programs, which have no single collective to blame. */
    static final String SPMD_PROGRAM = "SPMD program";
    private final XlaExecutor executor;
    private final Map<Graph, XlaExecutable> compiled = new HashMap<>();
    private final Map<List<Graph>, XlaSpmdExecutable> compiledSpmd = new HashMap<>();
    private final Set<XlaBuffer> pending = new LinkedHashSet<>();
    private final Map<Device, Integer> ranks = new HashMap<>();
    private final Map<Device, Duration> timeouts = new HashMap<>();
    private SpmdStep gathering;
    private long spmdPrograms;
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
            synchronize(buffer.device());
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
                synchronize(buffer.device());
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
            synchronize(buffer.device());
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
            synchronize(from.device());
        }
        copyFromHost(from.contents().asSlice(sourceOffset, byteCount), destination, destinationOffset);
    }

    /** Compiles (or reuses) and runs the graph of every value still held by an open buffer, device by device. */
    public synchronized void synchronize() {
        for (Device device : pending.stream().map(XlaBuffer::device).distinct().toList()) {
            synchronize(device);
        }
    }

    /**
     * Compiles (or reuses) and runs the graph of every value still held by an open buffer of one device. A graph with
     * collectives is that device's rank's part of an SPMD program: it waits until every rank its collectives name (and
     * theirs, transitively) has synchronized its own part, checks that the parts' collectives correspond, and runs the
     * parts together as the replicas of one compiled program, reused while the parts stay the same. A device that runs
     * no rank ({@link #bindRank}) runs its graph alone, collectives included, on as many replicas as the executor runs.
     *
     * @param device the device
     * @throws CollectiveTimeoutException if a rank the program needs does not synchronize within the collectives' timeout
     * @throws CollectiveMismatchException if the ranks recorded different collectives
     */
    public synchronized void synchronize(Device device) {
        List<XlaBuffer> outputs = pending.stream().filter(b -> b.device().equals(device) && !b.isClosed() && b.pending() != null)
                .sorted(Comparator.comparingLong(XlaBuffer::writeSequence)).toList();
        pending.removeIf(b -> b.device().equals(device));
        if (outputs.isEmpty()) {
            return;
        }
        Program program = record(outputs);
        if (ranks.containsKey(device) && program.graph().nodes().stream().anyMatch(n -> n.op() instanceof CollectiveOp)) {
            runSpmd(device, program);
            return;
        }
        XlaExecutable executable = compiled.get(program.graph());
        if (executable == null) {
            int replicas = StableHloLowering.replicas(program.graph());
            if (replicas > executor.replicas()) {
                throw new XlaExecutionException(String.format(Locale.ROOT, "the recorded program is an SPMD program of %d replicas, but %s runs %d;"
                        + " run it through a PJRT plugin with %d devices", replicas, executor.platform(), executor.replicas(), replicas), null);
            }
            executable = executor.compile(StableHloLowering.lower(program.graph()), program.graph().inputs(), program.graph().outputTypes());
            compiled.put(program.graph(), executable);
            compilations++;
        }
        List<MemorySegment> results = executable.execute(program.arguments());
        executions++;
        program.materialize(results);
    }

    /**
     * Makes a device rank {@code rank} of SPMD programs: the process groups of a run call it for their rank's device, so
     * that the collectives recorded there are that rank's part of the program.
     *
     * @param device the rank's device
     * @param rank the rank, the replica id its collectives name
     * @param timeout how long its SPMD programs wait for the other ranks
     * @throws IllegalArgumentException if the device already is another rank, or the rank has another device
     */
    public synchronized void bindRank(Device device, int rank, Duration timeout) {
        Integer bound = ranks.get(device);
        if ((bound != null && bound != rank) || (bound == null && ranks.containsValue(rank))) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s is rank %s and rank %d runs on one device only (ranks: %s);"
                    + " run one rank per device", device, bound, rank, ranks));
        }
        ranks.put(device, rank);
        timeouts.merge(device, timeout, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }

    /** Wakes the ranks waiting for an SPMD program, which fail with {@code reason}: the run is being stopped. */
    synchronized void abortSpmd(String reason) {
        if (gathering != null) {
            gathering.fail(new CollectiveException(gathering.name(), SPMD_PROGRAM, gathering.number, String.format(Locale.ROOT,
                    "%s #%d cannot run: %s", SPMD_PROGRAM, gathering.number, reason), null));
            gathering = null;
            notifyAll();
        }
    }

    private void runSpmd(Device device, Program program) {
        int rank = ranks.get(device);
        SpmdStep step = gathering != null ? gathering : (gathering = new SpmdStep(spmdPrograms++));
        step.arrive(rank, program);
        if (step.complete()) {
            gathering = null;
            try {
                runTogether(step);
            } catch (RuntimeException e) {
                step.fail(e);
                throw e;
            } finally {
                step.finish();
                notifyAll();
            }
            return;
        }
        Duration timeout = timeouts.getOrDefault(device, SpmdOptions.defaults().collectiveTimeout());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!step.done) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                step.fail(step.timedOut(timeout));
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                step.fail(new CollectiveException(step.name(), SPMD_PROGRAM, step.number, String.format(Locale.ROOT,
                        "rank %d was interrupted while waiting for %s #%d on %s", rank, SPMD_PROGRAM, step.number, step.name()), e));
                break;
            }
        }
        if (step.failure != null) {
            throw step.failure;
        }
    }

    /** Runs every rank's part as the replicas of one program, replica {@code i} being the {@code i}-th of the ranks in order. */
    private void runTogether(SpmdStep step) {
        List<Integer> order = List.copyOf(step.expected);
        List<Program> parts = order.stream().map(step.arrivals::get).toList();
        List<Graph> programs = step.merged(order);
        XlaSpmdExecutable executable = compiledSpmd.get(programs);
        if (executable == null) {
            executable = executor.compileSpmd(programs);
            compiledSpmd.put(programs, executable);
            compilations++;
        }
        List<List<MemorySegment>> results = executable.execute(parts.stream().map(Program::arguments).toList());
        executions++;
        for (int i = 0; i < parts.size(); i++) {
            parts.get(i).materialize(results.get(i));
        }
    }

    /** Turns the recorded values of some buffers into a graph whose inputs are the leaves' host data. */
    private static Program record(List<XlaBuffer> outputs) {
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
        return new Program(builder.build(outputs.stream().map(b -> numbers.get(b.pending())).toList()), arguments, outputs);
    }

    /** One device's recorded graph, its arguments and the buffers that receive its results. */
    private record Program(Graph graph, List<MemorySegment> arguments, List<XlaBuffer> outputs) {
        void materialize(List<MemorySegment> results) {
            for (int i = 0; i < outputs.size(); i++) {
                outputs.get(i).materialize(results.get(i));
            }
        }

        /** The ranks this part's collectives name. */
        Set<Integer> ranks() {
            Set<Integer> ranks = new TreeSet<>();
            for (Node node : graph.nodes()) {
                List<List<Integer>> groups = switch (node.attributes()) {
                    case Attributes.Collective c -> c.replicaGroups();
                    case Attributes.Permutation p -> p.sourceTargetPairs();
                    default -> List.of();
                };
                groups.forEach(ranks::addAll);
            }
            return ranks;
        }
    }

    /**
     * The parts of one SPMD program, gathered as ranks synchronize: complete when every rank named by an arrived part
     * has arrived. Guarded by the engine's lock.
     */
    private final class SpmdStep {
        private final long number;
        private final Map<Integer, Program> arrivals = new TreeMap<>();
        private final Set<Integer> expected = new TreeSet<>();
        private boolean done;
        private RuntimeException failure;

        SpmdStep(long number) {
            this.number = number;
        }

        String name() {
            return "ranks " + expected;
        }

        void arrive(int rank, Program program) {
            if (arrivals.putIfAbsent(rank, program) != null) {
                throw new IllegalStateException(String.format(Locale.ROOT, "rank %d synchronized twice for %s #%d", rank, SPMD_PROGRAM, number));
            }
            expected.add(rank);
            expected.addAll(program.ranks());
        }

        boolean complete() {
            return arrivals.keySet().containsAll(expected);
        }

        void fail(RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
            finish();
        }

        void finish() {
            done = true;
            if (gathering == this) {
                gathering = null;
            }
            LazyEngine.this.notifyAll();
        }

        CollectiveTimeoutException timedOut(Duration timeout) {
            List<Integer> missing = expected.stream().filter(r -> !arrivals.containsKey(r)).toList();
            return new CollectiveTimeoutException(name(), SPMD_PROGRAM, number, missing, timeout, String.format(Locale.ROOT,
                    "%s #%d on %s timed out after %s: %s never ran it; arrived: %s. In an SPMD run on a lazy backend every rank whose group"
                            + " a collective names must reach the same materialization point (reading a value, an optimizer step); if some ranks are"
                            + " just slow, raise %s", SPMD_PROGRAM, number, name(), timeout, missing.size() == 1 ? "rank " + missing.getFirst() : "ranks " + missing,
                    arrivals.keySet(), SpmdOptions.COLLECTIVE_TIMEOUT_PROPERTY));
        }

        /**
         * The ranks' graphs as the replicas of one program: their collectives must correspond in order (same op, types
         * and reduction); each rank's collective names only its own group, and the program's groups are the union of the
         * ranks' groups, as replica ids. The graphs may differ elsewhere, where ranks record rank-dependent static
         * attributes (the offsets of their own shard).
         */
        List<Graph> merged(List<Integer> order) {
            List<Graph> graphs = order.stream().map(rank -> arrivals.get(rank).graph()).toList();
            List<List<Integer>> positions = graphs.stream().map(g -> IntStream.range(0, g.nodes().size())
                    .filter(n -> g.nodes().get(n).op() instanceof CollectiveOp).boxed().toList()).toList();
            for (int i = 1; i < order.size(); i++) {
                if (positions.get(i).size() != positions.getFirst().size()) {
                    throw mismatch(order.getFirst(), order.get(i), positions.getFirst().size() + " collectives", positions.get(i).size() + " collectives");
                }
            }
            List<Map<Integer, Attributes>> rewritten = graphs.stream().map(g -> (Map<Integer, Attributes>) new HashMap<Integer, Attributes>()).toList();
            for (int k = 0; k < positions.getFirst().size(); k++) {
                Node node = graphs.getFirst().nodes().get(positions.getFirst().get(k));
                Set<List<Integer>> groups = new LinkedHashSet<>();
                for (int i = 0; i < order.size(); i++) {
                    Node other = graphs.get(i).nodes().get(positions.get(i).get(k));
                    if (!sameCollective(node, other)) {
                        throw mismatch(order.getFirst(), order.get(i), node.toString(), other.toString());
                    }
                    if (other.attributes() instanceof Attributes.Collective o) {
                        o.replicaGroups().forEach(g -> groups.add(g.stream().map(order::indexOf).toList()));
                    }
                }
                if (node.attributes() instanceof Attributes.Collective c) {
                    List<List<Integer>> replicaGroups = groups.stream().sorted(Comparator.comparing(List::getFirst)).toList();
                    Attributes program;
                    try {
                        program = new Attributes.Collective(replicaGroups, c.channelId(), c.useGlobalDeviceIds(), c.reduction());
                    } catch (IllegalArgumentException e) {
                        throw new CollectiveMismatchException(name(), node.op().opName(), number, node.toString(), replicaGroups.toString(), String.format(Locale.ROOT,
                                "%s #%d on %s: the ranks' groups of %s (collective %d) overlap or differ in size, as replica ids %s: %s; every rank of a"
                                        + " group must create it with the same ranks", SPMD_PROGRAM, number, name(), node.op().opName(), k, replicaGroups, e.getMessage()));
                    }
                    for (int i = 0; i < order.size(); i++) {
                        rewritten.get(i).put(positions.get(i).get(k), program);
                    }
                }
            }
            List<Graph> programs = new ArrayList<>();
            for (int i = 0; i < graphs.size(); i++) {
                Graph graph = graphs.get(i);
                Map<Integer, Attributes> replaced = rewritten.get(i);
                List<Node> nodes = IntStream.range(0, graph.nodes().size()).mapToObj(n -> {
                    Node node = graph.nodes().get(n);
                    Attributes attributes = replaced.get(n);
                    return attributes == null ? node : new Node(node.op(), node.operands(), node.type(), attributes);
                }).toList();
                programs.add(new Graph(graph.inputs(), nodes, graph.outputs()));
            }
            return programs;
        }

        /** Whether two ranks' collectives are the same call, groups aside. */
        private static boolean sameCollective(Node a, Node b) {
            if (a.op() != b.op() || !a.type().equals(b.type())) {
                return false;
            }
            return switch (a.attributes()) {
                case Attributes.Collective c when b.attributes() instanceof Attributes.Collective o ->
                        c.reduction().equals(o.reduction()) && c.channelId() == o.channelId() && c.useGlobalDeviceIds() == o.useGlobalDeviceIds();
                default -> a.attributes().equals(b.attributes());
            };
        }

        private CollectiveMismatchException mismatch(int firstRank, int rank, String expectedText, String got) {
            return new CollectiveMismatchException(name(), SPMD_PROGRAM, number, expectedText + " from rank " + firstRank, got + " from rank " + rank,
                    String.format(Locale.ROOT, "%s #%d on %s: rank %d recorded %s where rank %d recorded %s; every rank must record the same ops and"
                            + " collectives, on tensors of the same types and shapes, between two materialization points",
                            SPMD_PROGRAM, number, name(), rank, got, firstRank, expectedText));
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
        compiledSpmd.values().forEach(XlaSpmdExecutable::close);
        compiledSpmd.clear();
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
            synchronize(buffer.device());
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
