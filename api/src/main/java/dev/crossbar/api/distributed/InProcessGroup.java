package dev.crossbar.api.distributed;

import dev.crossbar.api.DType;
import dev.crossbar.api.DTypeNotAdmittedException;
import dev.crossbar.api.Device;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.InProcessCollectives.GatherForm;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** One rank's view of an in-process group: its sequence numbers, over the rendezvous its ranks share. */
final class InProcessGroup implements ProcessGroup {
    private final InProcessCommunicator communicator;
    private final GroupState state;
    private final int rank;
    private final int globalRank;
    private final Device device;
    private final int[] globalRanks;
    private final long[] sent;
    private final long[] received;
    private long nextSequence;

    InProcessGroup(InProcessCommunicator communicator, GroupState state, int globalRank, Device device) {
        this.communicator = communicator;
        this.state = state;
        this.globalRank = globalRank;
        this.rank = state.ranks().indexOf(globalRank);
        this.device = device;
        this.globalRanks = state.ranks().stream().mapToInt(Integer::intValue).toArray();
        this.sent = new long[globalRanks.length];
        this.received = new long[globalRanks.length];
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return globalRanks.length;
    }

    @Override
    public List<Integer> ranks() {
        return state.ranks();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Duration timeout() {
        return state.timeout();
    }

    @Override
    public Work<Tensor> allReduceAsync(Tensor tensor, ReduceOp op) {
        checkReducible("allReduce", tensor, op);
        return collective("allReduce", op + ", " + argument(tensor), tensor, null, all -> InProcessCollectives.allReduce(all, op));
    }

    @Override
    public Work<Tensor> allGatherAsync(Tensor tensor) {
        checkTensor("allGather", tensor);
        return collective("allGather", argument(tensor), tensor, GatherForm.CONCATENATED, InProcessCollectives::allGather);
    }

    @Override
    public Work<List<Tensor>> allGatherListAsync(Tensor tensor) {
        checkTensor("allGather", tensor);
        return collective("allGather", argument(tensor), tensor, GatherForm.LIST, InProcessCollectives::allGather);
    }

    @Override
    public Work<Tensor> reduceScatterAsync(Tensor tensor, ReduceOp op) {
        checkReducible("reduceScatter", tensor, op);
        checkSplittable("reduceScatter", tensor);
        return collective("reduceScatter", op + ", " + argument(tensor), tensor, null, all -> InProcessCollectives.reduceScatter(all, op));
    }

    @Override
    public Work<Tensor> broadcastAsync(Tensor tensor, int root) {
        checkTensor("broadcast", tensor);
        checkPeer("broadcast", "root", root, true);
        return collective("broadcast", argument(tensor) + ", root " + root, tensor, null, all -> InProcessCollectives.broadcast(all, root));
    }

    @Override
    public Work<Tensor> allToAllAsync(Tensor tensor) {
        checkTensor("allToAll", tensor);
        checkSplittable("allToAll", tensor);
        return collective("allToAll", argument(tensor), tensor, null, InProcessCollectives::allToAll);
    }

    @Override
    public Work<Void> sendAsync(Tensor tensor, int dst) {
        checkTensor("send", tensor);
        checkPeer("send", "dst", dst, false);
        long sequence;
        synchronized (this) {
            sequence = sent[dst]++;
        }
        CollectiveCall call = new CollectiveCall("send", argument(tensor) + " to rank " + globalRanks[dst], "send/recv", globalRank);
        return arrive(pair(rank, dst, sequence), 0, call, tensor, owner(tensor), tensor.device(), null, InProcessCollectives::sendReceive);
    }

    @Override
    public Work<Tensor> recvAsync(int src) {
        checkPeer("recv", "src", src, false);
        TensorScope owner = TensorScope.current().orElseThrow(() -> new IllegalStateException(
                "recv needs an open TensorScope on this thread to own the received tensor; open one (rank contexts have scope())"));
        long sequence;
        synchronized (this) {
            sequence = received[src]++;
        }
        CollectiveCall call = new CollectiveCall("recv", "from rank " + globalRanks[src], "send/recv", globalRank);
        return arrive(pair(src, rank, sequence), 1, call, null, owner, device, null, InProcessCollectives::sendReceive);
    }

    @Override
    public Work<Void> barrierAsync() {
        return collective("barrier", "", null, null, InProcessCollectives::barrier);
    }

    private <T> Work<T> collective(String op, String arguments, Tensor input, Object form, Rendezvous.Computation computation) {
        communicator.checkRunning(op, state.name());
        long sequence;
        synchronized (this) {
            sequence = nextSequence++;
        }
        Rendezvous rendezvous = state.rendezvous("collective #" + sequence, sequence, globalRanks);
        TensorScope owner = input == null ? null : owner(input);
        return arrive(rendezvous, rank, CollectiveCall.collective(op, arguments, globalRank), input, owner,
                input == null ? device : input.device(), form, computation);
    }

    private Rendezvous pair(int src, int dst, long sequence) {
        communicator.checkRunning("send/recv", state.name());
        return state.rendezvous(String.format(Locale.ROOT, "send/recv %d->%d #%d", globalRanks[src], globalRanks[dst], sequence),
                sequence, new int[] {globalRanks[src], globalRanks[dst]});
    }

    private <T> Work<T> arrive(Rendezvous rendezvous, int slot, CollectiveCall call, Tensor input, TensorScope owner, Device target, Object form,
            Rendezvous.Computation computation) {
        Tensor copy = null;
        if (input != null) {
            try (Grad.Scope off = Grad.noGrad()) {
                copy = input.to(input.device());
            }
        }
        InProcessWork<T> work = new InProcessWork<>(rendezvous, state.timeout());
        rendezvous.arrive(new Rendezvous.Arrival(slot, call, copy, owner, target, work, form), computation);
        communicator.abortIfStopped(rendezvous);
        return work;
    }

    /** The scope that owns a result computed from {@code input}, by the API's rule. */
    private static TensorScope owner(Tensor input) {
        return TensorScope.current().filter(s -> s.device().backend().equals(input.device().backend())).orElseGet(input::scope);
    }

    private String argument(Tensor tensor) {
        return CollectiveCall.tensorArgument(tensor.dtype(), tensor.shape());
    }

    private void checkTensor(String op, Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor is null");
        if (!tensor.device().backend().equals(communicator.backendName())) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: %s lives on %s but %s communicates between devices of backend '%s'; move it with to(group.device())",
                    op, tensor, tensor.device(), this, communicator.backendName()));
        }
    }

    private void checkReducible(String op, Tensor tensor, ReduceOp reduceOp) {
        checkTensor(op, tensor);
        Objects.requireNonNull(reduceOp, "op is null");
        DType type = tensor.dtype();
        if (type == DType.BOOL || (!type.isFloating() && !reduceOp.admitsIntegers())) {
            EnumSet<DType> admitted = EnumSet.complementOf(EnumSet.of(DType.BOOL));
            if (!reduceOp.admitsIntegers()) {
                admitted.removeIf(d -> !d.isFloating());
            }
            throw new DTypeNotAdmittedException(op + "(" + reduceOp + ")", type, admitted);
        }
    }

    private static void checkSplittable(String op, Tensor tensor) {
        if (tensor.rank() == 0) {
            throw new IllegalArgumentException(op + " splits dim 0 among the ranks, but " + tensor + " is a scalar; reshape it to [1] or more");
        }
    }

    private void checkPeer(String op, String name, int peer, boolean selfAllowed) {
        if (peer < 0 || peer >= size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %s %d is not a group rank of %s; group ranks are 0 to %d",
                    op, name, peer, this, size() - 1));
        }
        if (!selfAllowed && peer == rank) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %s %d is this rank; send and recv need another rank of %s", op, name, peer, this));
        }
    }

    @Override
    public String toString() {
        return state.name() + " as rank " + globalRank;
    }
}
