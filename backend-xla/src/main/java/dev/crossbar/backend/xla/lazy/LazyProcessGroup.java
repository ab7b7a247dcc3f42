package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.CollectiveArguments;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.Work;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.CollectiveOp;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One rank's process group on a lazy graph backend: each collective is recorded into the rank's graph as a
 * {@link CollectiveOp} node whose replica group is the group's ranks, and completes at once; the values move when the
 * rank's device synchronizes, which runs the graphs of every rank the collectives name as one SPMD program
 * ({@link LazyEngine#synchronize(dev.crossbar.api.Device)}). A training step of FSDP is thus one program per
 * materialization point, compiled once.
 *
 * <p>Dim-0 splits that the group size does not divide ({@link #reduceScatter}, {@link #allToAll}) have no StableHLO
 * form, since every replica's result would have another shape: the operand's chunks are padded to equal size, the
 * collective runs at once (a materialization point), and each rank keeps its rows. Point-to-point {@code send} and
 * {@code recv} are not lowered: the sender materializes the tensor and its bytes reach the receiver through the host.
 *
 * <p>Before a collective is recorded, the ranks of the group meet in a {@link GroupHandshake}: a missing rank times out
 * and mismatched calls fail at the call, on every rank, as the {@link ProcessGroup} contract says. Each collective is
 * thus a meeting of the ranks' threads (no data moves), and its {@link Work} is complete when the call returns.
 */
final class LazyProcessGroup implements CommunicatorFactory.Communicator {
    private final LazyEngine engine;
    private final CommunicatorFactory.Membership membership;
    private final GroupHandshake handshake;
    private final Runnable forget;
    private final long[] sent;
    private final long[] received;
    private long sequence;

    LazyProcessGroup(LazyEngine engine, CommunicatorFactory.Membership membership, GroupHandshake handshake, Runnable forget) {
        this.engine = engine;
        this.membership = membership;
        this.handshake = handshake;
        this.forget = forget;
        this.sent = new long[membership.ranks().size()];
        this.received = new long[membership.ranks().size()];
    }

    /** What this rank shares with the group's other ranks. */
    GroupHandshake handshake() {
        return handshake;
    }

    @Override
    public CommunicatorFactory.Membership membership() {
        return membership;
    }

    @Override
    public Work<Tensor> allReduceAsync(Tensor tensor, ReduceOp op) {
        CollectiveArguments.requireReducible("allReduce", this, tensor, op);
        meet("allReduce", op + ", " + CollectiveArguments.describe(tensor));
        return completed(collective(tensor, CollectiveOp.ALL_REDUCE, Optional.of(op)));
    }

    @Override
    public Work<Tensor> allGatherAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allGather", this, tensor);
        meet("allGather", CollectiveArguments.describe(tensor));
        return completed(collective(tensor, CollectiveOp.ALL_GATHER, Optional.empty()));
    }

    @Override
    public Work<List<Tensor>> allGatherListAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allGather", this, tensor);
        meet("allGather", CollectiveArguments.describe(tensor));
        TensorScope owner = CollectiveArguments.resultScope(tensor);
        LazyValue gathered = record(tensor, CollectiveOp.ALL_GATHER, Optional.empty());
        int rows = tensor.shape().rank() == 0 ? 1 : tensor.shape().dim(0);
        List<Tensor> parts = new ArrayList<>();
        for (int r = 0; r < size(); r++) {
            parts.add(output(owner, Ops.reshape(rows(gathered, r * rows, rows), tensor.shape())));
        }
        return completed(List.copyOf(parts));
    }

    @Override
    public Work<Tensor> reduceScatterAsync(Tensor tensor, ReduceOp op) {
        CollectiveArguments.requireReducible("reduceScatter", this, tensor, op);
        CollectiveArguments.requireSplittable("reduceScatter", tensor);
        meet("reduceScatter", op + ", " + CollectiveArguments.describe(tensor));
        int length = tensor.shape().dim(0);
        if (length % size() == 0) {
            return completed(collective(tensor, CollectiveOp.REDUCE_SCATTER, Optional.of(op)));
        }
        int[] chunks = ProcessGroup.chunkSizes(length, size());
        LazyValue scattered = materialized(CollectiveArguments.resultScope(tensor),
                Ops.collective(CollectiveOp.REDUCE_SCATTER, attributes(Optional.of(op)), padded(read(tensor), chunks)));
        return completed(output(CollectiveArguments.resultScope(tensor), rows(scattered, 0, chunks[rank()])));
    }

    @Override
    public Work<Tensor> broadcastAsync(Tensor tensor, int root) {
        CollectiveArguments.requireOnGroupBackend("broadcast", this, tensor);
        CollectiveArguments.requirePeer("broadcast", this, "root", root, true);
        meet("broadcast", "root " + root + ", " + CollectiveArguments.describe(tensor));
        LazyValue gathered = record(tensor, CollectiveOp.ALL_GATHER, Optional.empty());
        int rows = tensor.shape().rank() == 0 ? 1 : tensor.shape().dim(0);
        return completed(output(CollectiveArguments.resultScope(tensor), Ops.reshape(rows(gathered, root * rows, rows), tensor.shape())));
    }

    @Override
    public Work<Tensor> allToAllAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allToAll", this, tensor);
        CollectiveArguments.requireSplittable("allToAll", tensor);
        meet("allToAll", CollectiveArguments.describe(tensor));
        int length = tensor.shape().dim(0);
        if (length % size() == 0) {
            return completed(collective(tensor, CollectiveOp.ALL_TO_ALL, Optional.empty()));
        }
        int[] chunks = ProcessGroup.chunkSizes(length, size());
        LazyValue exchanged = materialized(CollectiveArguments.resultScope(tensor),
                Ops.collective(CollectiveOp.ALL_TO_ALL, attributes(Optional.empty()), padded(read(tensor), chunks)));
        List<LazyValue> mine = new ArrayList<>();
        for (int from = 0; from < size(); from++) {
            mine.add(rows(exchanged, from * chunks[0], chunks[rank()]));
        }
        return completed(output(CollectiveArguments.resultScope(tensor), Ops.concat(0, mine)));
    }

    /** Materializes the tensor and leaves its bytes for {@code dst}: point-to-point transfers are not lowered. */
    @Override
    public Work<Void> sendAsync(Tensor tensor, int dst) {
        CollectiveArguments.requireOnGroupBackend("send", this, tensor);
        CollectiveArguments.requirePeer("send", this, "destination", dst, false);
        MemorySegment bytes = Arena.ofAuto().allocate(Math.max(1, tensor.dtype().byteSize() * tensor.size()), 8)
                .asSlice(0, tensor.dtype().byteSize() * tensor.size());
        try (TensorScope scope = CollectiveArguments.resultScope(tensor).child(device())) {
            Tensor holder = scope.empty(tensor.dtype(), tensor.shape());
            engine.write(holder.view(), engine.read(tensor.view()));
            engine.copyToHost(holder.view().buffer(), holder.view().offset() * tensor.dtype().byteSize(), bytes);
        }
        handshake.post(rank(), dst, sent[dst]++, new GroupHandshake.Letter(tensor.dtype(), tensor.shape(), bytes));
        return completed(null);
    }

    /** Waits for the bytes {@code src} sent and copies them into a new tensor on this rank's device. */
    @Override
    public Work<Tensor> recvAsync(int src) {
        CollectiveArguments.requirePeer("recv", this, "source", src, false);
        TensorScope owner = TensorScope.current().orElseThrow(() -> new IllegalStateException(
                "recv needs an open TensorScope on this thread to own the received tensor; open one (rank contexts have scope())"));
        GroupHandshake.Letter letter = handshake.collect(src, rank(), received[src]++, sequence);
        try (TensorScope local = owner.child(device())) {
            Tensor out = local.keep(local.empty(letter.dtype(), letter.shape()));
            engine.copyFromHost(letter.bytes(), out.view().buffer(), out.view().offset() * letter.dtype().byteSize());
            return completed(out);
        }
    }

    /** Runs an all-reduce of one element over the group and synchronizes: every rank of the group must reach it. */
    @Override
    public Work<Void> barrierAsync() {
        meet("barrier", "");
        TensorScope owner = TensorScope.current().orElseThrow(() -> new IllegalStateException(
                "barrier needs an open TensorScope on this thread for its one-element all-reduce; open one (rank contexts have scope())"));
        try (TensorScope scope = owner.child(device())) {
            Tensor one = scope.ones(DType.F32, 1);
            materialized(scope, Ops.collective(CollectiveOp.ALL_REDUCE, attributes(Optional.of(ReduceOp.SUM)), read(one)));
        }
        return completed(null);
    }

    /** Wakes the ranks waiting at a handshake, a receive or an SPMD program. */
    @Override
    public void abort(String reason) {
        handshake.abort(reason);
        engine.abortSpmd(reason);
    }

    /** The group holds no native resources: its collectives are nodes of the ranks' graphs. */
    @Override
    public void close() {
        forget.run();
    }

    @Override
    public String toString() {
        return membership.name() + " as rank " + membership.globalRank() + " (collectives recorded into SPMD programs)";
    }

    private Tensor collective(Tensor tensor, CollectiveOp op, Optional<ReduceOp> reduction) {
        LazyValue value = record(tensor, op, reduction);
        Shape shape = tensor.shape().rank() > 0 || op == CollectiveOp.ALL_GATHER ? value.type().shape() : tensor.shape();
        return output(CollectiveArguments.resultScope(tensor), Ops.reshape(value, shape));
    }

    /** Records a collective on the tensor's value; a scalar travels as one row. */
    private LazyValue record(Tensor tensor, CollectiveOp op, Optional<ReduceOp> reduction) {
        return Ops.collective(op, attributes(reduction), read(tensor));
    }

    private LazyValue read(Tensor tensor) {
        LazyValue value = engine.read(tensor.view());
        return tensor.shape().rank() == 0 ? Ops.reshape(value, Shape.of(1)) : value;
    }

    private Attributes.Collective attributes(Optional<ReduceOp> reduction) {
        return new Attributes.Collective(List.of(ranks()), 0, false, reduction);
    }

    /** A new tensor on this rank's device, owned by {@code owner}, holding {@code value}. */
    private Tensor output(TensorScope owner, LazyValue value) {
        try (TensorScope local = owner.child(device())) {
            Tensor out = local.keep(local.empty(value.type().dtype(), value.type().shape()));
            engine.write(out.view(), value);
            return out;
        }
    }

    /** Runs a collective now, in the SPMD program of every rank's pending work, and returns its value as materialized data. */
    private LazyValue materialized(TensorScope owner, LazyValue collective) {
        try (TensorScope scope = owner.child(device())) {
            Tensor holder = scope.empty(collective.type().dtype(), collective.type().shape());
            engine.write(holder.view(), collective);
            engine.synchronize(device());
            return engine.read(holder.view());
        }
    }

    /** The operand with each of its dim-0 chunks padded with zero rows to the first (largest) chunk's length. */
    private static LazyValue padded(LazyValue operand, int[] chunks) {
        List<LazyValue> parts = new ArrayList<>();
        int start = 0;
        for (int chunk : chunks) {
            if (chunk > 0) {
                parts.add(rows(operand, start, chunk));
            }
            if (chunk < chunks[0]) {
                int[] dims = operand.type().shape().dims();
                dims[0] = chunks[0] - chunk;
                parts.add(Ops.full(new ValueType(operand.type().dtype(), Shape.of(dims)), 0));
            }
            start += chunk;
        }
        return Ops.concat(0, parts);
    }

    private static LazyValue rows(LazyValue value, int start, int count) {
        int[] begin = new int[value.type().shape().rank()];
        int[] limit = value.type().shape().dims();
        int[] step = new int[begin.length];
        java.util.Arrays.fill(step, 1);
        begin[0] = start;
        limit[0] = start + count;
        return Ops.slice(value, begin, limit, step);
    }

    /** Checks the call against the other ranks' before anything is recorded; a failed call leaves no trace in the graph. */
    private void meet(String op, String arguments) {
        handshake.meet(sequence++, rank(), op, op + "(" + arguments + ")");
    }

    private static <T> Work<T> completed(T value) {
        return new Recorded<>(value);
    }

    /** A collective recorded into the graph: nothing to wait for until the device synchronizes. */
    private record Recorded<T>(T value) implements Work<T> {
        @Override
        public T await() {
            return value;
        }

        @Override
        public T await(Duration timeout) {
            return value;
        }

        @Override
        public boolean isDone() {
            return true;
        }
    }
}
