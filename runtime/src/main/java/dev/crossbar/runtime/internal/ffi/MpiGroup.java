package dev.crossbar.runtime.internal.ffi;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.CollectiveArguments;
import dev.crossbar.api.distributed.CollectiveException;
import dev.crossbar.api.distributed.CollectiveMismatchException;
import dev.crossbar.api.distributed.CollectiveTimeoutException;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.api.distributed.Work;
import dev.crossbar.spi.CommunicatorBootstrap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A {@link ProcessGroup} whose ranks are processes of an Open MPI job, one rank per process. Every collective first
 * announces the call to the other ranks on the control channel and waits for theirs (so a rank that never arrives is
 * named and incompatible calls fail everywhere, as with the in-process communicator); then it posts the non-blocking
 * MPI operation ({@code MPI_Iallreduce}, {@code MPI_Iallgather}, {@code MPI_Ireduce_scatter(_block)}, {@code MPI_Ibcast},
 * {@code MPI_Ialltoall(v)}, {@code MPI_Isend}/{@code MPI_Irecv}) on the group's communicator and polls it with
 * {@code MPI_Test} against the deadline. A barrier is the handshake alone.
 *
 * <p>Buffers are the tensors' own host memory: the result is allocated uninitialized and MPI writes into it, and the
 * blocking forms hand the input's memory to MPI without a copy when it is contiguous. The asynchronous forms copy the
 * input, as {@link Work} promises. F16 and BF16 are reduced in F32 and rounded once; floating MAX and MIN are
 * user-defined MPI operations that let NaN win, as {@link ReduceOp} says; AVG is a sum divided afterwards.
 *
 * <p>If a transfer was posted and then abandoned (a rank died in the middle of it), MPI may still use its buffers: the
 * group refuses every later collective, since MPI matches collectives by order and one is left dangling.
 */
final class MpiGroup implements ProcessGroup, CommunicatorBootstrap {
    private final MpiCommunicator communicator;
    private final String channel;
    private final String key;
    private final String name;
    private final List<Integer> ranks;
    private final int[] worldRanks;
    private final int rank;
    private final Device device;
    private final Duration timeout;
    /** The group's MPI communicator: the world duplicate, or created by the group's first collective. */
    private MemorySegment comm;
    /** The creation of {@link #comm} for a sub-group, started by the work {@link #creationFor}. */
    private CompletableFuture<MemorySegment> creation;
    private MpiWork<?> creationFor;
    private long nextSequence;
    private final long[] sent;
    private final long[] received;
    private final ArrayDeque<MpiWork<?>> collectives = new ArrayDeque<>();
    private final List<PointToPoint> pointToPoint = new ArrayList<>();
    /** Per group rank: the calls announced for each sequence number, and the sequence numbers abandoned (with the missing ranks). */
    private final List<Map<Long, String>> announced = new ArrayList<>();
    private final List<Map<Long, List<Integer>>> abandoned = new ArrayList<>();
    private final List<ArrayDeque<ControlRecord>> sendsAnnounced = new ArrayList<>();
    private String brokenReason;

    /** A send or receive in flight; a receive waits for the sender's announcement before posting its MPI_Irecv. */
    private record PointToPoint(MpiWork<?> work, int peer, boolean receive, TensorScope owner) {
    }

    MpiGroup(MpiCommunicator communicator, String channel, String key, String name, List<Integer> ranks, Device device, Duration timeout, MemorySegment comm) {
        this.communicator = communicator;
        this.channel = channel;
        this.key = key;
        this.name = name;
        this.ranks = List.copyOf(ranks);
        this.worldRanks = ranks.stream().mapToInt(Integer::intValue).toArray();
        this.rank = this.ranks.indexOf(communicator.rank());
        this.device = device;
        this.timeout = timeout;
        this.comm = comm;
        this.sent = new long[worldRanks.length];
        this.received = new long[worldRanks.length];
        for (int i = 0; i < worldRanks.length; i++) {
            announced.add(new HashMap<>());
            abandoned.add(new HashMap<>());
            sendsAnnounced.add(new ArrayDeque<>());
        }
    }

    String key() {
        return key;
    }

    String channel() {
        return channel;
    }

    String name() {
        return name;
    }

    /** True when a transfer was left in flight in MPI, so the group refuses further collectives. */
    boolean broken() {
        return brokenReason != null;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return worldRanks.length;
    }

    @Override
    public List<Integer> ranks() {
        return ranks;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    // ---------------------------------------------------------------- collectives

    @Override
    public Work<Tensor> allReduceAsync(Tensor tensor, ReduceOp op) {
        return allReduce(tensor, op, true);
    }

    @Override
    public Tensor allReduce(Tensor tensor, ReduceOp op) {
        return allReduce(tensor, op, false).await();
    }

    private MpiWork<Tensor> allReduce(Tensor tensor, ReduceOp op, boolean copyInput) {
        CollectiveArguments.requireReducible("allReduce", this, tensor, op);
        DType wire = reductionType(tensor.dtype());
        TensorScope owner = CollectiveArguments.resultScope(tensor);
        MpiWork<Tensor> work = newCollective("allReduce", op + ", " + CollectiveArguments.describe(tensor));
        MemorySegment send = sendBuffer(work, tensor, wire, copyInput);
        Tensor out = allocate(work, owner, wire, tensor.shape());
        work.define(w -> communicator.mpi.iallreduce(send, out.asSegment(), count(tensor.size()), communicator.type(wire, true),
                communicator.op(op, wire), communicator(), w.newRequest()), () -> reduced(out, op, tensor.dtype(), owner));
        return submit(work);
    }

    @Override
    public Work<Tensor> allGatherAsync(Tensor tensor) {
        return allGather(tensor, true);
    }

    @Override
    public Tensor allGather(Tensor tensor) {
        return allGather(tensor, false).await();
    }

    private MpiWork<Tensor> allGather(Tensor tensor, boolean copyInput) {
        CollectiveArguments.requireOnGroupBackend("allGather", this, tensor);
        TensorScope owner = CollectiveArguments.resultScope(tensor);
        MpiWork<Tensor> work = newCollective("allGather", CollectiveArguments.describe(tensor));
        Tensor out = startGather(work, tensor, owner, copyInput);
        work.define(w -> postGather(w, tensor, out), () -> owner.adopt(out));
        return submit(work);
    }

    @Override
    public Work<List<Tensor>> allGatherListAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allGather", this, tensor);
        TensorScope owner = CollectiveArguments.resultScope(tensor);
        MpiWork<List<Tensor>> work = newCollective("allGather", CollectiveArguments.describe(tensor));
        Tensor out = startGather(work, tensor, owner, true);
        work.temporary(out);
        work.define(w -> postGather(w, tensor, out), () -> {
            List<Tensor> parts = new ArrayList<>(size());
            long rows = tensor.rank() == 0 ? 1 : tensor.shape().dim(0);
            try (Grad.Scope off = Grad.noGrad()) {
                for (int r = 0; r < size(); r++) {
                    try (Tensor part = out.slice(0, (int) (r * rows), (int) ((r + 1) * rows))) {
                        try (Tensor shaped = part.reshape(tensor.shape().dims())) {
                            parts.add(owner.adopt(shaped.to(tensor.device())));
                        }
                    }
                }
            }
            return List.copyOf(parts);
        });
        return submit(work);
    }

    private Tensor startGather(MpiWork<?> work, Tensor tensor, TensorScope owner, boolean copyInput) {
        int[] dims = tensor.rank() == 0 ? new int[] {size()} : tensor.shape().dims();
        if (tensor.rank() > 0) {
            dims[0] *= size();
        }
        sendBuffer(work, tensor, tensor.dtype(), copyInput);
        return allocate(work, owner, tensor.dtype(), Shape.of(dims));
    }

    private void postGather(MpiWork<?> work, Tensor tensor, Tensor out) {
        communicator.mpi.iallgather(work.sendMemory(), count(tensor.size()), communicator.type(tensor.dtype(), false), out.asSegment(), communicator(),
                work.newRequest());
    }

    @Override
    public Work<Tensor> reduceScatterAsync(Tensor tensor, ReduceOp op) {
        return reduceScatter(tensor, op, true);
    }

    @Override
    public Tensor reduceScatter(Tensor tensor, ReduceOp op) {
        return reduceScatter(tensor, op, false).await();
    }

    private MpiWork<Tensor> reduceScatter(Tensor tensor, ReduceOp op, boolean copyInput) {
        CollectiveArguments.requireReducible("reduceScatter", this, tensor, op);
        CollectiveArguments.requireSplittable("reduceScatter", tensor);
        DType wire = reductionType(tensor.dtype());
        TensorScope owner = CollectiveArguments.resultScope(tensor);
        int[] rows = ProcessGroup.chunkSizes(tensor.shape().dim(0), size());
        long rowElements = tensor.size() / Math.max(1, tensor.shape().dim(0));
        int[] counts = Arrays.stream(rows).map(r -> count(r * rowElements)).toArray();
        int[] dims = tensor.shape().dims();
        dims[0] = rows[rank];
        MpiWork<Tensor> work = newCollective("reduceScatter", op + ", " + CollectiveArguments.describe(tensor));
        MemorySegment send = sendBuffer(work, tensor, wire, copyInput);
        Tensor out = allocate(work, owner, wire, Shape.of(dims));
        boolean even = Arrays.stream(counts).allMatch(c -> c == counts[0]);
        work.define(w -> {
            if (even) {
                communicator.mpi.ireduceScatterBlock(send, out.asSegment(), counts[0], communicator.type(wire, true), communicator.op(op, wire),
                        communicator(), w.newRequest());
            } else {
                communicator.mpi.ireduceScatter(send, out.asSegment(), w.ints(counts), communicator.type(wire, true), communicator.op(op, wire),
                        communicator(), w.newRequest());
            }
        }, () -> reduced(out, op, tensor.dtype(), owner));
        return submit(work);
    }

    @Override
    public Work<Tensor> broadcastAsync(Tensor tensor, int root) {
        CollectiveArguments.requireOnGroupBackend("broadcast", this, tensor);
        CollectiveArguments.requirePeer("broadcast", this, "root", root, true);
        TensorScope owner = CollectiveArguments.resultScope(tensor);
        MpiWork<Tensor> work = newCollective("broadcast", CollectiveArguments.describe(tensor) + ", root " + root);
        Tensor out = allocate(work, owner, tensor.dtype(), tensor.shape());
        if (rank == root) {
            // The root's result is a copy of its input, made now; MPI sends it from there.
            MemorySegment.copy(sendBuffer(work, tensor, tensor.dtype(), false), 0, out.asSegment(), 0, out.asSegment().byteSize());
        }
        work.define(w -> communicator.mpi.ibcast(out.asSegment(), count(tensor.size()), communicator.type(tensor.dtype(), false), root, communicator(),
                w.newRequest()), () -> owner.adopt(out));
        return submit(work);
    }

    @Override
    public Work<Tensor> allToAllAsync(Tensor tensor) {
        return allToAll(tensor, true);
    }

    @Override
    public Tensor allToAll(Tensor tensor) {
        return allToAll(tensor, false).await();
    }

    private MpiWork<Tensor> allToAll(Tensor tensor, boolean copyInput) {
        CollectiveArguments.requireOnGroupBackend("allToAll", this, tensor);
        CollectiveArguments.requireSplittable("allToAll", tensor);
        TensorScope owner = CollectiveArguments.resultScope(tensor);
        int[] rows = ProcessGroup.chunkSizes(tensor.shape().dim(0), size());
        long rowElements = tensor.size() / Math.max(1, tensor.shape().dim(0));
        int[] sendCounts = Arrays.stream(rows).map(r -> count(r * rowElements)).toArray();
        int[] sendOffsets = offsets(sendCounts);
        int[] recvCounts = new int[size()];
        Arrays.fill(recvCounts, sendCounts[rank]);
        int[] recvOffsets = offsets(recvCounts);
        int[] dims = tensor.shape().dims();
        dims[0] = size() * rows[rank];
        MpiWork<Tensor> work = newCollective("allToAll", CollectiveArguments.describe(tensor));
        MemorySegment send = sendBuffer(work, tensor, tensor.dtype(), copyInput);
        Tensor out = allocate(work, owner, tensor.dtype(), Shape.of(dims));
        boolean even = Arrays.stream(sendCounts).allMatch(c -> c == sendCounts[0]);
        MemorySegment type = communicator.type(tensor.dtype(), false);
        work.define(w -> {
            if (even) {
                communicator.mpi.ialltoall(send, sendCounts[0], type, out.asSegment(), communicator(), w.newRequest());
            } else {
                communicator.mpi.ialltoallv(send, w.ints(sendCounts), w.ints(sendOffsets), type, out.asSegment(), w.ints(recvCounts), w.ints(recvOffsets),
                        communicator(), w.newRequest());
            }
        }, () -> owner.adopt(out));
        return submit(work);
    }

    @Override
    public Work<Void> barrierAsync() {
        MpiWork<Void> work = newCollective("barrier", "");
        work.define(w -> {
        }, () -> null);
        return submit(work);
    }

    // ---------------------------------------------------------------- bootstrap of device communicators

    /** Broadcasts the first rank's bytes (their length, then the bytes) with the group's handshake and timeout. */
    @Override
    public byte[] shareFromRankZero(Supplier<byte[]> create) {
        byte[] bytes = rank == 0 ? Objects.requireNonNull(create.get(), "create returned null") : null;
        MemorySegment length = Arena.ofAuto().allocate(ValueLayout.JAVA_INT);
        if (bytes != null) {
            length.set(ValueLayout.JAVA_INT, 0, bytes.length);
        }
        broadcastBytes("length", length).await();
        MemorySegment data = Arena.ofAuto().allocate(Math.max(1, length.get(ValueLayout.JAVA_INT, 0)));
        if (bytes != null) {
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        }
        broadcastBytes(length.get(ValueLayout.JAVA_INT, 0) + " bytes", data).await();
        return data.asSlice(0, length.get(ValueLayout.JAVA_INT, 0)).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The handshake alone, in the group that carries only the handshakes of the device communicator this group started
     * (its sequence numbers are that communicator's): a rank that never announces the call is named, a different call
     * fails every rank.
     */
    @Override
    public void agree(String op, String arguments, long sequence) {
        MpiGroup handshakes = communicator.handshakes(this);
        MpiWork<Void> work = new MpiWork<>(handshakes, op, sequence, op + "(" + arguments + ")");
        work.define(w -> {
        }, () -> null);
        handshakes.submit(work).await();
    }

    private MpiWork<Void> broadcastBytes(String what, MemorySegment buffer) {
        MpiWork<Void> work = newCollective("shareFromRankZero", what);
        work.define(w -> communicator.mpi.ibcast(buffer, count(buffer.byteSize()), communicator.mpi.uint8, 0, communicator(), w.newRequest()), () -> null);
        return submit(work);
    }

    // ---------------------------------------------------------------- point to point

    @Override
    public Work<Void> sendAsync(Tensor tensor, int dst) {
        CollectiveArguments.requireOnGroupBackend("send", this, tensor);
        CollectiveArguments.requirePeer("send", this, "dst", dst, false);
        if (tensor.rank() > 32) {
            throw new IllegalArgumentException("send: " + tensor + " has more than 32 dims, which the MPI control message does not carry; reshape it");
        }
        MpiWork<Void> work;
        synchronized (this) {
            work = new MpiWork<>(this, "send", sent[dst]++, "send(" + CollectiveArguments.describe(tensor) + " to rank " + worldRanks[dst] + ")");
        }
        MemorySegment send = sendBuffer(work, tensor, tensor.dtype(), true);
        long[] dims = Arrays.stream(tensor.shape().dims()).asLongStream().toArray();
        work.define(w -> {
            int tag = communicator.nextTag(worldRanks[dst]);
            communicator.sendControl(worldRanks[dst], ControlRecord.send(key, w.sequence(), tensor.dtype().ordinal(), dims, tag));
            communicator.mpi.isend(send, count(tensor.size()), communicator.type(tensor.dtype(), false), worldRanks[dst], tag, communicator.dataWorld(),
                    w.newRequest());
        }, () -> null);
        communicator.locked(() -> {
            checkUsable(work);
            work.startTransfer();
            pointToPoint.add(new PointToPoint(work, dst, false, null));
        });
        return work;
    }

    @Override
    public Work<Tensor> recvAsync(int src) {
        CollectiveArguments.requirePeer("recv", this, "src", src, false);
        TensorScope owner = TensorScope.current().orElseThrow(() -> new IllegalStateException(
                "recv needs an open TensorScope on this thread to own the received tensor; open one (rank contexts have scope())"));
        MpiWork<Tensor> work;
        synchronized (this) {
            work = new MpiWork<>(this, "recv", received[src]++, "recv(from rank " + worldRanks[src] + ")");
        }
        communicator.locked(() -> {
            checkUsable(work);
            pointToPoint.add(new PointToPoint(work, src, true, owner));
        });
        return work;
    }

    // ---------------------------------------------------------------- progress, called under the communicator's lock

    /** A control record from group rank {@code from}. */
    void deliver(int worldRank, ControlRecord record) {
        int from = ranks.indexOf(worldRank);
        switch (record.kind()) {
            case ARRIVE -> announced.get(from).put(record.sequence(), record.text());
            case ABANDON -> abandoned.get(from).put(record.sequence(), record.ranks());
            case SEND -> sendsAnnounced.get(from).add(record);
            case FAILED -> throw new IllegalStateException("FAILED records concern the job, not a group");
        }
    }

    /** Advances every pending operation of the group as far as it goes without waiting. */
    void advance() {
        long now = System.nanoTime();
        boolean earlierPosted = true;
        for (Iterator<MpiWork<?>> it = collectives.iterator(); it.hasNext();) {
            MpiWork<?> work = it.next();
            if (work.phase() == MpiWork.Phase.HANDSHAKE && earlierPosted) {
                handshake(work, now);
            }
            if (work.phase() == MpiWork.Phase.HANDSHAKE) {
                // MPI matches collectives by order: a later one may not post before this one.
                earlierPosted = false;
            } else if (work.phase() == MpiWork.Phase.TRANSFER) {
                transfer(work, now);
            }
            MpiWork.Phase phase = work.phase();
            if (phase != MpiWork.Phase.HANDSHAKE && phase != MpiWork.Phase.TRANSFER) {
                it.remove();
            }
        }
        for (Iterator<PointToPoint> it = pointToPoint.iterator(); it.hasNext();) {
            PointToPoint p = it.next();
            if (p.receive() && p.work().phase() == MpiWork.Phase.HANDSHAKE) {
                postReceive(p, now);
            }
            if (p.work().phase() == MpiWork.Phase.TRANSFER) {
                transfer(p.work(), now);
            }
            MpiWork.Phase phase = p.work().phase();
            if (phase != MpiWork.Phase.HANDSHAKE && phase != MpiWork.Phase.TRANSFER) {
                it.remove();
            }
        }
    }

    private void handshake(MpiWork<?> work, long now) {
        long sequence = work.sequence();
        String[] calls = new String[size()];
        calls[rank] = work.call();
        for (int r = 0; r < size(); r++) {
            if (r == rank) {
                continue;
            }
            String failed = communicator.failure(channel, worldRanks[r]);
            if (failed != null) {
                failHandshake(work, new CollectiveException(name, work.op(), sequence, String.format(Locale.ROOT, "%s #%d on %s cannot complete: rank %d failed: %s",
                        work.op(), sequence, name, worldRanks[r], failed), null));
                return;
            }
            List<Integer> missing = abandoned.get(r).get(sequence);
            if (missing != null) {
                failHandshake(work, handshakeTimeout(work, missing, timeout, String.format(Locale.ROOT, " (rank %d gave up first)", worldRanks[r])));
                return;
            }
            calls[r] = announced.get(r).get(sequence);
        }
        if (Arrays.stream(calls).anyMatch(Objects::isNull)) {
            if (now - work.startNanos() >= timeout.toNanos()) {
                expire(work, timeout);
            }
            return;
        }
        for (int r = 1; r < size(); r++) {
            if (!calls[r].equals(calls[0])) {
                forgetAnnouncements(sequence);
                String first = calls[0] + " from rank " + worldRanks[0];
                String second = calls[r] + " from rank " + worldRanks[r];
                work.fail(new CollectiveMismatchException(name, calls[0].substring(0, calls[0].indexOf('(')), sequence, first, second, String.format(Locale.ROOT,
                        "Collective #%d on %s: %s does not match %s; every rank of the group must call the same collective, with the same "
                                + "dtype, shape and arguments, at the same point of its program", sequence, name, first, second)), false);
                return;
            }
        }
        if (comm == null && !communicatorCreated(work, now)) {
            return;
        }
        forgetAnnouncements(sequence);
        try {
            work.startTransfer();
        } catch (MpiException e) {
            work.fail(new CollectiveException(name, work.op(), sequence, String.format(Locale.ROOT, "%s #%d on %s failed to start: %s",
                    work.op(), sequence, name, e.getMessage()), e), false);
        }
    }

    private void forgetAnnouncements(long sequence) {
        for (int r = 0; r < size(); r++) {
            announced.get(r).remove(sequence);
        }
    }

    /**
     * Whether the group's communicator exists, starting its creation for the group's first collective: every rank
     * announced the same call, so every member is about to join {@code MPI_Comm_create_group}. Until then the work
     * stays in its handshake (a rank that gives up meanwhile is still heard) against its timeout.
     */
    private boolean communicatorCreated(MpiWork<?> work, long now) {
        if (creation == null) {
            creation = communicator.createCommunicator(this);
            creationFor = work;
        }
        if (!creation.isDone()) {
            if (now - work.startNanos() >= timeout.toNanos()) {
                expire(work, timeout);
            }
            return false;
        }
        try {
            comm = creation.join();
            return true;
        } catch (CompletionException e) {
            brokenReason = "creating its MPI communicator failed: " + e.getCause().getMessage();
            work.fail(new CollectiveException(name, work.op(), work.sequence(), String.format(Locale.ROOT, "%s #%d on %s failed to start: %s",
                    work.op(), work.sequence(), name, brokenReason), e.getCause()), false);
            return false;
        }
    }

    /** True while the communicator's creation that {@code work} started is still inside MPI. */
    private boolean creatingFor(MpiWork<?> work) {
        return creationFor == work && !creation.isDone();
    }

    /**
     * Fails a work in its handshake. If it had started the creation of the group's communicator, that call is left
     * inside MPI, where it would match the group's next creation: the group cannot be used any more.
     */
    private void failHandshake(MpiWork<?> work, RuntimeException error) {
        if (creatingFor(work)) {
            brokenReason = String.format(Locale.ROOT, "%s #%d left the creation of its MPI communicator (MPI_Comm_create_group) in flight", work.op(),
                    work.sequence());
        }
        work.fail(error, false);
    }

    private void postReceive(PointToPoint p, long now) {
        MpiWork<?> work = p.work();
        ControlRecord announcement = sendsAnnounced.get(p.peer()).peek();
        if (announcement == null) {
            String failed = communicator.failure(channel, worldRanks[p.peer()]);
            if (failed != null) {
                work.fail(new CollectiveException(name, "recv", work.sequence(), String.format(Locale.ROOT,
                        "recv #%d from rank %d on %s cannot complete: rank %d failed: %s", work.sequence(), worldRanks[p.peer()], name, worldRanks[p.peer()],
                        failed), null), false);
            } else if (now - work.startNanos() >= timeout.toNanos()) {
                expire(work, timeout);
            }
            return;
        }
        sendsAnnounced.get(p.peer()).poll();
        DType dtype = DType.values()[announcement.dtype()];
        int[] dims = Arrays.stream(announcement.dims()).mapToInt(Math::toIntExact).toArray();
        Tensor out = allocate(work, p.owner(), dtype, Shape.of(dims));
        @SuppressWarnings("unchecked")
        MpiWork<Tensor> typed = (MpiWork<Tensor>) work;
        typed.define(w -> communicator.mpi.irecv(out.asSegment(), count(out.size()), communicator.type(dtype, false), worldRanks[p.peer()],
                announcement.tag(), communicator.dataWorld(), w.newRequest()), () -> p.owner().adopt(out));
        try {
            work.startTransfer();
        } catch (MpiException e) {
            work.fail(new CollectiveException(name, "recv", work.sequence(), "recv failed to start: " + e.getMessage(), e), false);
        }
    }

    private void transfer(MpiWork<?> work, long now) {
        try {
            if (work.testRequests(communicator.mpi, communicator.flag(), communicator.status())) {
                return;
            }
        } catch (MpiException e) {
            brokenReason = String.format(Locale.ROOT, "%s #%d failed in MPI: %s", work.op(), work.sequence(), e.getMessage());
            work.fail(new CollectiveException(name, work.op(), work.sequence(), String.format(Locale.ROOT, "%s #%d on %s failed: %s", work.op(),
                    work.sequence(), name, e.getMessage()), e), true);
            return;
        }
        for (int r = 0; r < size(); r++) {
            String failed = r == rank ? null : communicator.failure(channel, worldRanks[r]);
            List<Integer> gaveUp = r == rank ? null : abandoned.get(r).get(work.sequence());
            if (failed != null || (gaveUp != null && !work.op().equals("send") && !work.op().equals("recv"))) {
                brokenReason = String.format(Locale.ROOT, "%s #%d was left in flight in MPI when rank %d %s", work.op(), work.sequence(), worldRanks[r],
                        failed != null ? "failed" : "gave up on it");
                work.fail(new CollectiveException(name, work.op(), work.sequence(), String.format(Locale.ROOT,
                        "%s #%d on %s cannot complete: rank %d %s", work.op(), work.sequence(), name, worldRanks[r],
                        failed != null ? "failed: " + failed : "gave up on it when its timeout expired"), null), true);
                return;
            }
        }
        if (now - work.startNanos() >= timeout.toNanos()) {
            expire(work, timeout);
        }
    }

    /** Fails a work whose time ran out; in the handshake the missing ranks are known and told. Called under the lock. */
    void expireLocked(MpiWork<?> work, Duration waited) {
        MpiWork.Phase phase = work.phase();
        if (phase == MpiWork.Phase.HANDSHAKE && (work.op().equals("recv"))) {
            work.fail(timeout(work, List.of(peerOf(work)), waited, String.format(Locale.ROOT,
                    "recv #%d on %s timed out after %s: rank %d never sent it. Every send must be matched by a recv; if the sender is just slow, raise %s",
                    work.sequence(), name, waited, peerOf(work), SpmdOptions.COLLECTIVE_TIMEOUT_PROPERTY)), false);
        } else if (phase == MpiWork.Phase.HANDSHAKE && creatingFor(work)) {
            List<Integer> peers = ranks.stream().filter(r -> r != worldRanks[rank]).toList();
            brokenReason = String.format(Locale.ROOT, "%s #%d left the creation of its MPI communicator (MPI_Comm_create_group) in flight when its "
                    + "timeout expired", work.op(), work.sequence());
            work.fail(timeout(work, peers, waited, String.format(Locale.ROOT,
                    "%s #%d on %s timed out after %s creating the group's MPI communicator: every rank announced the call, but not all of %s joined "
                            + "MPI_Comm_create_group; a rank may have given up on the call when its own timeout expired, or died; the group cannot be "
                            + "used any more", work.op(), work.sequence(), name, waited, describeRanks(peers))), false);
        } else if (phase == MpiWork.Phase.HANDSHAKE) {
            List<Integer> missing = new ArrayList<>();
            for (int r = 0; r < size(); r++) {
                if (r != rank && announced.get(r).get(work.sequence()) == null) {
                    missing.add(worldRanks[r]);
                }
            }
            for (int r = 0; r < size(); r++) {
                if (r != rank) {
                    communicator.sendControl(worldRanks[r], ControlRecord.abandon(key, work.sequence(), missing));
                }
            }
            work.fail(handshakeTimeout(work, missing, waited, ""), false);
        } else if (phase == MpiWork.Phase.TRANSFER) {
            boolean pointToPointWork = work.op().equals("send") || work.op().equals("recv");
            List<Integer> peers = pointToPointWork ? List.of(peerOf(work)) : ranks.stream().filter(r -> r != worldRanks[rank]).toList();
            if (!pointToPointWork) {
                brokenReason = String.format(Locale.ROOT, "%s #%d was left in flight in MPI when its timeout expired", work.op(), work.sequence());
            }
            work.fail(timeout(work, peers, waited, String.format(Locale.ROOT,
                    "%s #%d on %s timed out after %s: every rank called it, but the transfer with %s did not complete; a rank may have died or stopped "
                            + "making progress%s", work.op(), work.sequence(), name, waited, describeRanks(peers),
                    pointToPointWork ? "" : "; the group cannot be used any more")), true);
        }
    }

    /** The timeout of a collective some ranks never announced; every rank that gives up or hears of it says the same. */
    private CollectiveTimeoutException handshakeTimeout(MpiWork<?> work, List<Integer> missing, Duration waited, String note) {
        List<String> arrived = new ArrayList<>();
        for (int r = 0; r < size(); r++) {
            String call = r == rank ? work.call() : announced.get(r).get(work.sequence());
            if (call != null && !missing.contains(worldRanks[r])) {
                arrived.add(call + " from rank " + worldRanks[r]);
            }
        }
        return timeout(work, missing, waited, String.format(Locale.ROOT,
                "%s #%d on %s timed out after %s%s: %s never called it; arrived: %s. Every rank of the group must call the same collectives in the "
                        + "same order; if some ranks are just slow, raise %s (now %s)", work.op(), work.sequence(), name, waited, note, describeRanks(missing),
                arrived, SpmdOptions.COLLECTIVE_TIMEOUT_PROPERTY, timeout));
    }

    private int peerOf(MpiWork<?> work) {
        for (PointToPoint p : pointToPoint) {
            if (p.work() == work) {
                return worldRanks[p.peer()];
            }
        }
        return -1;
    }

    private CollectiveTimeoutException timeout(MpiWork<?> work, List<Integer> missing, Duration waited, String message) {
        return new CollectiveTimeoutException(name, work.op(), work.sequence(), missing, waited, message);
    }

    private static String describeRanks(List<Integer> ranks) {
        return ranks.size() == 1 ? "rank " + ranks.getFirst() : "ranks " + ranks;
    }

    // ---------------------------------------------------------------- helpers

    void progress() {
        communicator.progress();
    }

    void expire(MpiWork<?> work, Duration waited) {
        communicator.locked(() -> expireLocked(work, waited));
    }

    int[] worldRanks() {
        return worldRanks.clone();
    }

    private MemorySegment communicator() {
        return comm;
    }

    private <T> MpiWork<T> newCollective(String op, String arguments) {
        synchronized (this) {
            return new MpiWork<>(this, op, nextSequence++, op + "(" + arguments + ")");
        }
    }

    /** Announces the call to the other ranks and queues the work behind the group's earlier collectives. */
    private <T> MpiWork<T> submit(MpiWork<T> work) {
        communicator.locked(() -> {
            checkUsable(work);
            for (int r = 0; r < size(); r++) {
                if (r != rank) {
                    communicator.sendControl(worldRanks[r], ControlRecord.arrive(key, work.sequence(), work.call()));
                }
            }
            collectives.add(work);
            advance();
        });
        return work;
    }

    private void checkUsable(MpiWork<?> work) {
        if (brokenReason != null) {
            CollectiveException refused = new CollectiveException(name, work.op(), work.sequence(), String.format(Locale.ROOT,
                    "%s on %s refused: %s, and MPI matches collectives by order; start a new job", work.op(), name, brokenReason), null);
            work.fail(refused, false);
            throw refused;
        }
    }

    /** The MPI element type of a reduction: F16 and BF16 travel as F32. */
    private static DType reductionType(DType dtype) {
        return dtype == DType.F16 || dtype == DType.BF16 ? DType.F32 : dtype;
    }

    /** The reduction's result in the input's type, AVG divided, owned by the caller's scope. */
    private Tensor reduced(Tensor out, ReduceOp op, DType dtype, TensorScope owner) {
        try (Grad.Scope off = Grad.noGrad()) {
            Tensor result = out;
            if (op == ReduceOp.AVG) {
                result = out.div((double) size());
                out.close();
            }
            if (result.dtype() != dtype) {
                Tensor narrow = result.cast(dtype);
                result.close();
                result = narrow;
            }
            return owner.adopt(result);
        }
    }

    /**
     * The memory MPI sends from: the tensor's own memory when it is contiguous host memory of the wire type and no copy
     * is asked for, otherwise a converted or copied temporary that lives until the work completes.
     */
    private MemorySegment sendBuffer(MpiWork<?> work, Tensor tensor, DType wire, boolean copy) {
        try (Grad.Scope off = Grad.noGrad()) {
            Tensor source = tensor;
            if (source.dtype() != wire) {
                source = source.cast(wire);
                work.temporary(source);
            } else if (copy || !source.isContiguous()) {
                source = source.to(source.device());
                work.temporary(source);
            }
            MemorySegment memory = hostMemory(source, work.op());
            work.sendMemory(memory);
            return memory;
        }
    }

    /** An uninitialized result on this group's device, owned by {@code owner} (freed with the work if it fails). */
    private Tensor allocate(MpiWork<?> work, TensorScope owner, DType dtype, Shape shape) {
        Tensor out;
        if (owner.device().equals(device)) {
            out = owner.empty(dtype, shape);
        } else {
            try (TensorScope local = owner.child(device)) {
                out = local.keep(local.empty(dtype, shape));
            }
        }
        work.output(out);
        hostMemory(out, work.op());
        return out;
    }

    private MemorySegment hostMemory(Tensor tensor, String op) {
        try {
            return tensor.asSegment();
        } catch (CrossbarException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: %s is not in host memory; MPI collectives carry host memory. Device backends communicate through their own library "
                            + "(NCCL, RCCL), bootstrapped over MPI", op, tensor), e);
        }
    }

    private static int count(long elements) {
        if (elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d elements exceed MPI's int count (%d); split the tensor", elements, Integer.MAX_VALUE));
        }
        return (int) elements;
    }

    private static int[] offsets(int[] counts) {
        int[] offsets = new int[counts.length];
        for (int i = 1; i < counts.length; i++) {
            offsets[i] = offsets[i - 1] + counts[i - 1];
        }
        return offsets;
    }

    @Override
    public String toString() {
        return name + " as rank " + worldRanks[rank];
    }
}
