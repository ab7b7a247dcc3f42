package dev.crossbar.spi.codegen;

import dev.crossbar.api.DType;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.CollectiveArguments;
import dev.crossbar.api.distributed.CollectiveException;
import dev.crossbar.api.distributed.CollectiveTimeoutException;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.Work;
import dev.crossbar.spi.CommunicatorBootstrap;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.spi.ffi.NcclApi;
import dev.crossbar.spi.ffi.NcclApi.DataType;
import dev.crossbar.spi.ffi.NcclResult;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One rank's view of a group whose collectives run in an NCCL communicator; see {@link NcclCommunicators#create}.
 *
 * <p>NCCL cannot tell which rank is missing (a collective just waits on the device) nor detect ranks that call different
 * collectives (undefined behaviour). So each collective first agrees with the other ranks on the host through the
 * group's {@link CommunicatorBootstrap#agree handshake} (op, element type, shape, arguments and sequence number): a rank
 * that never comes is named in a {@link CollectiveTimeoutException} and a different call fails every rank with a
 * {@link dev.crossbar.api.distributed.CollectiveMismatchException}, before NCCL is called, so the communicator stays
 * usable. The cost is one small host exchange per collective, made when it is called: the asynchronous forms return
 * once every rank has called, with the transfer queued on the stream. Send and receive are between two ranks and have
 * no handshake.
 */
final class NcclGroup implements CommunicatorFactory.Communicator {
    /** The most dims a sent tensor may have: its header carries the element type, the rank and this many dims. */
    static final int MAX_SENT_RANK = 32;
    /** The header's length in I64 elements. */
    static final int HEADER_LONGS = 2 + MAX_SENT_RANK;
    /** How long a waiting rank sleeps between two queries of its stream. */
    private static final long POLL_INTERVAL_NANOS = 20_000;

    private final NcclApi nccl;
    private final int versionCode;
    private final StreamDevice device;
    private final CommunicatorFactory.Membership membership;
    private final MemorySegment communicator;
    private final CommunicatorBootstrap handshake;
    private final long[] sent;
    private final long[] received;
    private long nextSequence;
    private volatile String brokenReason;
    private boolean released;

    NcclGroup(NcclApi nccl, int versionCode, StreamDevice device, CommunicatorFactory.Membership membership, MemorySegment communicator,
            CommunicatorBootstrap handshake) {
        this.nccl = nccl;
        this.versionCode = versionCode;
        this.device = device;
        this.membership = membership;
        this.communicator = communicator;
        this.handshake = handshake;
        this.sent = new long[membership.ranks().size()];
        this.received = new long[membership.ranks().size()];
    }

    @Override
    public CommunicatorFactory.Membership membership() {
        return membership;
    }

    // ---------------------------------------------------------------- collectives

    @Override
    public Work<Tensor> allReduceAsync(Tensor tensor, ReduceOp op) {
        CollectiveArguments.requireReducible("allReduce", this, tensor, op);
        NcclApi.Reduction reduction = NcclApi.Reduction.of(op, versionCode);
        return start("allReduce", op + ", " + CollectiveArguments.describe(tensor), tensor, (call, in) -> {
            Tensor out = call.output(in.dtype(), in.shape());
            nccl.allReduce(address(in), address(out), in.size(), DataType.of(in.dtype()), reduction.op(), communicator, device.stream());
            return () -> reduction.divideBySize() ? call.replace(out, out.div((double) size())) : out;
        });
    }

    @Override
    public Work<Tensor> allGatherAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allGather", this, tensor);
        return start("allGather", CollectiveArguments.describe(tensor), tensor, (call, in) -> {
            Tensor out = gather(call, in);
            return () -> out;
        });
    }

    @Override
    public Work<List<Tensor>> allGatherListAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allGather", this, tensor);
        return start("allGather", CollectiveArguments.describe(tensor), tensor, (call, in) -> {
            Tensor out = gather(call, in);
            return () -> {
                List<Tensor> parts = new ArrayList<>();
                int rows = in.rank() == 0 ? 1 : in.shape().dim(0);
                for (int r = 0; r < size(); r++) {
                    try (Tensor rowsOfRank = out.slice(0, r * rows, (r + 1) * rows); Tensor shaped = rowsOfRank.reshape(in.shape().dims())) {
                        parts.add(call.result(shaped.to(device())));
                    }
                }
                call.discard(out);
                return parts;
            };
        });
    }

    /** Queues the gather of every rank's {@code in} into one tensor, dim 0 {@code size()} times as long. */
    private Tensor gather(NcclCall<?> call, Tensor in) {
        int[] dims = in.rank() == 0 ? new int[] {size()} : in.shape().dims();
        if (in.rank() > 0) {
            dims[0] *= size();
        }
        Tensor out = call.output(in.dtype(), Shape.of(dims));
        nccl.allGather(address(in), address(out), in.size(), DataType.of(in.dtype()), communicator, device.stream());
        return out;
    }

    @Override
    public Work<Tensor> reduceScatterAsync(Tensor tensor, ReduceOp op) {
        CollectiveArguments.requireReducible("reduceScatter", this, tensor, op);
        CollectiveArguments.requireSplittable("reduceScatter", tensor);
        NcclApi.Reduction reduction = NcclApi.Reduction.of(op, versionCode);
        return start("reduceScatter", op + ", " + CollectiveArguments.describe(tensor), tensor, (call, in) -> {
            int rows = in.shape().dim(0);
            int[] chunks = ProcessGroup.chunkSizes(rows, size());
            int start = Arrays.stream(chunks).limit(rank()).sum();
            int[] dims = in.shape().dims();
            dims[0] = chunks[rank()];
            Tensor out;
            if (rows % size() == 0) {
                out = call.output(in.dtype(), Shape.of(dims));
                nccl.reduceScatter(address(in), address(out), out.size(), DataType.of(in.dtype()), reduction.op(), communicator, device.stream());
            } else {
                // ncclReduceScatter gives every rank the same count: unequal chunks reduce everything, then keep this rank's rows
                Tensor all = call.output(in.dtype(), in.shape());
                nccl.allReduce(address(in), address(all), in.size(), DataType.of(in.dtype()), reduction.op(), communicator, device.stream());
                try (Tensor rowsOfRank = all.slice(0, start, start + chunks[rank()])) {
                    out = call.replace(all, rowsOfRank.to(device()));
                }
            }
            Tensor chunk = out;
            return () -> reduction.divideBySize() ? call.replace(chunk, chunk.div((double) size())) : chunk;
        });
    }

    @Override
    public Work<Tensor> broadcastAsync(Tensor tensor, int root) {
        CollectiveArguments.requireOnGroupBackend("broadcast", this, tensor);
        CollectiveArguments.requirePeer("broadcast", this, "root", root, true);
        return start("broadcast", CollectiveArguments.describe(tensor) + ", root " + root, tensor, (call, in) -> {
            Tensor out = call.output(in.dtype(), in.shape());
            nccl.broadcast(address(in), address(out), in.size(), DataType.of(in.dtype()), root, communicator, device.stream());
            return () -> out;
        });
    }

    @Override
    public Work<Tensor> allToAllAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allToAll", this, tensor);
        CollectiveArguments.requireSplittable("allToAll", tensor);
        return start("allToAll", CollectiveArguments.describe(tensor), tensor, (call, in) -> {
            int[] chunks = ProcessGroup.chunkSizes(in.shape().dim(0), size());
            long rowElements = in.shape().dim(0) == 0 ? 0 : in.size() / in.shape().dim(0);
            long elementBytes = in.dtype().byteSize();
            int[] dims = in.shape().dims();
            dims[0] = size() * chunks[rank()];
            Tensor out = call.output(in.dtype(), Shape.of(dims));
            DataType type = DataType.of(in.dtype());
            long receiveCount = chunks[rank()] * rowElements;
            nccl.groupStart();
            try {
                long sendRow = 0;
                for (int peer = 0; peer < size(); peer++) {
                    // both sides skip the empty chunks: rank r sends chunks[p] rows to p, which receives chunks[p] rows from r
                    if (chunks[peer] > 0) {
                        nccl.send(address(in) + sendRow * rowElements * elementBytes, chunks[peer] * rowElements, type, peer, communicator, device.stream());
                    }
                    if (receiveCount > 0) {
                        nccl.receive(address(out) + peer * receiveCount * elementBytes, receiveCount, type, peer, communicator, device.stream());
                    }
                    sendRow += chunks[peer];
                }
            } finally {
                nccl.groupEnd();
            }
            return () -> out;
        });
    }

    // ---------------------------------------------------------------- point to point

    @Override
    public Work<Void> sendAsync(Tensor tensor, int dst) {
        CollectiveArguments.requireOnGroupBackend("send", this, tensor);
        CollectiveArguments.requirePeer("send", this, "dst", dst, false);
        long[] header = header(tensor.dtype(), tensor.shape());
        long sequence;
        synchronized (this) {
            sequence = sent[dst]++;
        }
        return transfer("send", sequence, tensor, (call, in) -> {
            Tensor onHost = call.temporary(in.scope().fromArray(header, HEADER_LONGS));
            Tensor head = call.temporary(onHost.to(device()));
            nccl.send(address(head), HEADER_LONGS, DataType.INT64, dst, communicator, device.stream());
            nccl.send(address(in), in.size(), DataType.of(in.dtype()), dst, communicator, device.stream());
            return () -> null;
        });
    }

    @Override
    public Work<Tensor> recvAsync(int src) {
        CollectiveArguments.requirePeer("recv", this, "src", src, false);
        TensorScope owner = TensorScope.current().orElseThrow(() -> new IllegalStateException(
                "recv needs an open TensorScope on this thread to own the received tensor; open one (rank contexts have scope())"));
        long sequence;
        synchronized (this) {
            sequence = received[src]++;
        }
        NcclCall<Tensor> header = new NcclCall<>("recv", sequence, owner);
        Tensor head = header.output(DType.I64, Shape.of(HEADER_LONGS));
        header.finish(launch(header, () -> {
            nccl.receive(address(head), HEADER_LONGS, DataType.INT64, src, communicator, device.stream());
            return () -> head;
        }));
        long[] received;
        try (Tensor arrived = header.await()) {
            received = arrived.toLongArray();
        }
        DType type = headerType(received);
        Shape shape = headerShape(received);
        NcclCall<Tensor> data = new NcclCall<>("recv", header.sequence, owner);
        Tensor out = data.output(type, shape);
        data.finish(launch(data, () -> {
            nccl.receive(address(out), out.size(), DataType.of(type), src, communicator, device.stream());
            return () -> out;
        }));
        return data;
    }

    /** The header a send carries before its data: the element type's ordinal, the rank, then the dims. */
    static long[] header(DType type, Shape shape) {
        if (shape.rank() > MAX_SENT_RANK) {
            throw new IllegalArgumentException("send: a tensor of shape " + shape + " has more than " + MAX_SENT_RANK + " dims; reshape it");
        }
        long[] header = new long[HEADER_LONGS];
        header[0] = type.ordinal();
        header[1] = shape.rank();
        for (int i = 0; i < shape.rank(); i++) {
            header[2 + i] = shape.dim(i);
        }
        return header;
    }

    /** The element type a {@link #header} names. */
    static DType headerType(long[] header) {
        return DType.values()[Math.toIntExact(header[0])];
    }

    /** The shape a {@link #header} names. */
    static Shape headerShape(long[] header) {
        return Shape.of(Arrays.stream(header, 2, 2 + Math.toIntExact(header[1])).mapToInt(Math::toIntExact).toArray());
    }

    /** The handshake, which every rank enters before any leaves, then the rank's stream running out of work. */
    @Override
    public Work<Void> barrierAsync() {
        long sequence = agree("barrier", "");
        NcclCall<Void> call = new NcclCall<>("barrier", sequence, null);
        call.finish(launch(call, () -> () -> null));
        return call;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public synchronized void abort(String reason) {
        if (brokenReason == null) {
            brokenReason = reason;
        }
        if (!released) {
            released = true;
            nccl.commAbort(communicator);
        }
    }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            device.makeCurrent();
            nccl.commDestroy(communicator);
        }
    }

    @Override
    public String toString() {
        return membership.name() + " as rank " + membership.globalRank() + " (NCCL " + NcclApi.versionText(versionCode) + ")";
    }

    // ---------------------------------------------------------------- plumbing

    /** Agrees on the collective with the other ranks, then queues its NCCL calls for a staged copy of its input. */
    private <T> Work<T> start(String op, String arguments, Tensor input, Launch<T> launch) {
        return transfer(op, agree(op, arguments), input, launch);
    }

    /** Takes the collective's sequence number and makes every rank agree on the call; see {@link CommunicatorBootstrap#agree}. */
    private long agree(String op, String arguments) {
        long sequence = nextSequence();
        if (brokenReason != null) {
            throw refused(op, sequence);
        }
        handshake.agree(op, arguments, sequence);
        return sequence;
    }

    /** Queues the NCCL calls of a collective, or of a send, for a staged copy of its input and returns its work. */
    private <T> Work<T> transfer(String op, long sequence, Tensor input, Launch<T> launch) {
        NcclCall<T> call = new NcclCall<>(op, sequence, CollectiveArguments.resultScope(input));
        Tensor staged;
        try (Grad.Scope off = Grad.noGrad()) {
            staged = call.temporary(input.to(device()));
        }
        call.finish(launch(call, () -> launch.queue(call, staged)));
        return call;
    }

    private synchronized long nextSequence() {
        return nextSequence++;
    }

    /**
     * Queues a collective's calls on the device's stream, unless the communicator was aborted. Holds the group's lock,
     * as {@link #abort} does, so that no call uses the communicator that {@code ncclCommAbort} frees.
     */
    private synchronized <R> R launch(NcclCall<?> call, Supplier<R> queue) {
        if (brokenReason != null) {
            call.closeAll();
            throw refused(call.op, call.sequence);
        }
        try (Grad.Scope off = Grad.noGrad()) {
            device.makeCurrent();
            return queue.get();
        } catch (RuntimeException e) {
            call.closeAll();
            throw e;
        }
    }

    private CollectiveException refused(String op, long sequence) {
        return new CollectiveException(membership.name(), op, sequence, String.format(Locale.ROOT,
                "%s #%d on %s cannot run: %s; the NCCL communicator was aborted (ncclCommAbort), start a new run", op, sequence, membership.name(),
                brokenReason), null);
    }

    /**
     * The communicator's asynchronous error ({@code ncclCommGetAsyncError}) under the group's lock, or -1 once it was
     * aborted or destroyed (freed).
     */
    private synchronized int asyncError() {
        if (released) {
            return -1;
        }
        device.makeCurrent();
        return nccl.commGetAsyncError(communicator);
    }

    private long address(Tensor tensor) {
        var view = tensor.view();
        return StreamBuffer.own(view.buffer(), device().backend()).address() + view.offset() * tensor.dtype().byteSize();
    }

    /** Queues the NCCL calls of one collective and says how to make its result once the stream has run them. */
    @FunctionalInterface
    private interface Launch<T> {
        Supplier<T> queue(NcclCall<T> call, Tensor staged);
    }

    /** One collective in flight: its tensors, and the polling of the stream until it completes or the timeout passes. */
    private final class NcclCall<T> implements Work<T> {
        private final String op;
        private final long sequence;
        private final TensorScope owner;
        private final long startNanos = System.nanoTime();
        private final List<Tensor> temporaries = new ArrayList<>();
        private final List<Tensor> results = new ArrayList<>();
        private Supplier<T> finisher;
        private boolean done;
        private T value;
        private RuntimeException failure;

        NcclCall(String op, long sequence, TensorScope owner) {
            this.op = op;
            this.sequence = sequence;
            this.owner = owner;
        }

        /** An uninitialized tensor on the group's device that NCCL writes, owned by the caller's scope when it succeeds. */
        Tensor output(DType dtype, Shape shape) {
            try (TensorScope local = owner.child(device())) {
                return result(local.keep(local.empty(dtype, shape)));
            }
        }

        Tensor result(Tensor tensor) {
            results.add(tensor);
            return tensor;
        }

        Tensor temporary(Tensor tensor) {
            temporaries.add(tensor);
            return tensor;
        }

        /** Closes a result that {@code derived} (computed from it) replaces. */
        Tensor replace(Tensor previous, Tensor derived) {
            discard(previous);
            return result(derived);
        }

        /** Closes a tensor NCCL wrote that the result no longer needs. */
        void discard(Tensor previous) {
            results.remove(previous);
            previous.close();
        }

        void finish(Supplier<T> makeResult) {
            this.finisher = makeResult;
        }

        void closeAll() {
            temporaries.forEach(Tensor::close);
            results.forEach(Tensor::close);
        }

        @Override
        public T await() {
            return await(timeout());
        }

        @Override
        public synchronized T await(Duration limit) {
            long deadline = startNanos + Math.min(limit.toNanos(), timeout().toNanos());
            while (!done && !poll()) {
                if (System.nanoTime() - deadline > 0) {
                    expire(Duration.ofNanos(System.nanoTime() - startNanos));
                } else {
                    LockSupport.parkNanos(POLL_INTERVAL_NANOS);
                    if (Thread.interrupted()) {
                        fail(new CollectiveException(membership.name(), op, sequence, String.format(Locale.ROOT,
                                "Interrupted while waiting for %s #%d on %s", op, sequence, membership.name()), new InterruptedException()));
                        Thread.currentThread().interrupt();
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            return value;
        }

        @Override
        public synchronized boolean isDone() {
            if (!done && !poll() && System.nanoTime() - startNanos > timeout().toNanos()) {
                expire(timeout());
            }
            return done;
        }

        /** True once the stream ran the calls (then the result is made) or NCCL reported an error. */
        private boolean poll() {
            if (brokenReason != null) {
                fail(refused(op, sequence));
                return true;
            }
            int asyncError = asyncError();
            if (asyncError == -1) {
                fail(refused(op, sequence));
                return true;
            }
            if (asyncError != NcclResult.NCCL_SUCCESS && asyncError != NcclResult.NCCL_IN_PROGRESS) {
                String reason = String.format(Locale.ROOT, "NCCL reported %s (%d) for the communicator", NcclResult.name(asyncError), asyncError);
                abort(reason);
                fail(new CollectiveException(membership.name(), op, sequence, String.format(Locale.ROOT, "%s #%d on %s failed: %s",
                        op, sequence, membership.name(), reason), null));
                return true;
            }
            if (!device.isIdle()) {
                return false;
            }
            try (Grad.Scope off = Grad.noGrad()) {
                temporaries.forEach(Tensor::close);
                value = finisher.get();
                results.forEach(result -> owner.adopt(result));
                done = true;
            } catch (RuntimeException e) {
                fail(e instanceof CollectiveException c ? c : new CollectiveException(membership.name(), op, sequence,
                        String.format(Locale.ROOT, "%s #%d on %s completed but its result could not be made: %s", op, sequence, membership.name(), e), e));
            }
            return true;
        }

        private void expire(Duration waited) {
            String reason = String.format(Locale.ROOT, "%s #%d did not complete within the group's timeout of %s", op, sequence, timeout());
            abort(reason);
            String called = op.equals("send") || op.equals("recv") ? "its peer may never have made the matching call"
                    : "every rank had called it (the handshake passed), so NCCL stopped making progress on the device or a rank died";
            fail(new CollectiveTimeoutException(membership.name(), op, sequence, List.of(), waited, String.format(Locale.ROOT,
                    "%s #%d on %s did not complete within %s in NCCL: %s. The communicator was aborted (ncclCommAbort): this group's later "
                            + "collectives fail", op, sequence, membership.name(), timeout(), called)));
        }

        private void fail(RuntimeException e) {
            if (!done) {
                done = true;
                failure = e;
                closeAll();
            }
        }
    }
}
