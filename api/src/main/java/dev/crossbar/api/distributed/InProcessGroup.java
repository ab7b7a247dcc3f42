package dev.crossbar.api.distributed;

import dev.crossbar.api.Device;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.InProcessCollectives.GatherForm;
import dev.crossbar.spi.CommunicatorBootstrap;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One rank's view of an in-process group: its sequence numbers, over the rendezvous its ranks share. It also bootstraps
 * a backend's communicator over the same ranks and checks each of that communicator's calls.
 */
final class InProcessGroup implements ProcessGroup, CommunicatorBootstrap {
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
        CollectiveArguments.requireReducible("allReduce", this, tensor, op);
        return collective("allReduce", op + ", " + CollectiveArguments.describe(tensor), tensor, null, all -> InProcessCollectives.allReduce(all, op));
    }

    @Override
    public Work<Tensor> allGatherAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allGather", this, tensor);
        return collective("allGather", CollectiveArguments.describe(tensor), tensor, GatherForm.CONCATENATED, InProcessCollectives::allGather);
    }

    @Override
    public Work<List<Tensor>> allGatherListAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allGather", this, tensor);
        return collective("allGather", CollectiveArguments.describe(tensor), tensor, GatherForm.LIST, InProcessCollectives::allGather);
    }

    @Override
    public Work<Tensor> reduceScatterAsync(Tensor tensor, ReduceOp op) {
        CollectiveArguments.requireReducible("reduceScatter", this, tensor, op);
        CollectiveArguments.requireSplittable("reduceScatter", tensor);
        return collective("reduceScatter", op + ", " + CollectiveArguments.describe(tensor), tensor, null, all -> InProcessCollectives.reduceScatter(all, op));
    }

    @Override
    public Work<Tensor> broadcastAsync(Tensor tensor, int root) {
        CollectiveArguments.requireOnGroupBackend("broadcast", this, tensor);
        CollectiveArguments.requirePeer("broadcast", this, "root", root, true);
        return collective("broadcast", CollectiveArguments.describe(tensor) + ", root " + root, tensor, null, all -> InProcessCollectives.broadcast(all, root));
    }

    @Override
    public Work<Tensor> allToAllAsync(Tensor tensor) {
        CollectiveArguments.requireOnGroupBackend("allToAll", this, tensor);
        CollectiveArguments.requireSplittable("allToAll", tensor);
        return collective("allToAll", CollectiveArguments.describe(tensor), tensor, null, InProcessCollectives::allToAll);
    }

    @Override
    public Work<Void> sendAsync(Tensor tensor, int dst) {
        CollectiveArguments.requireOnGroupBackend("send", this, tensor);
        CollectiveArguments.requirePeer("send", this, "dst", dst, false);
        long sequence;
        synchronized (this) {
            sequence = sent[dst]++;
        }
        CollectiveCall call = new CollectiveCall("send", CollectiveArguments.describe(tensor) + " to rank " + globalRanks[dst], "send/recv", globalRank);
        return arrive(pair(rank, dst, sequence), 0, call, tensor, CollectiveArguments.resultScope(tensor), tensor.device(), null, InProcessCollectives::sendReceive);
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
        CollectiveCall call = new CollectiveCall("recv", "from rank " + globalRanks[src], "send/recv", globalRank);
        return arrive(pair(src, rank, sequence), 1, call, null, owner, device, null, InProcessCollectives::sendReceive);
    }

    @Override
    public Work<Void> barrierAsync() {
        return collective("barrier", "", null, null, InProcessCollectives::barrier);
    }

    /** A collective without tensors: the first rank's bytes reach every rank as a copy of their own. */
    @Override
    public byte[] shareFromRankZero(Supplier<byte[]> create) {
        byte[] bytes = rank == 0 ? Objects.requireNonNull(create.get(), "create returned null") : null;
        Work<byte[]> work = collective("shareFromRankZero", "", null, bytes, all -> {
            byte[] shared = (byte[]) all[0].form();
            Object[] copies = new Object[all.length];
            Arrays.setAll(copies, i -> shared.clone());
            return copies;
        });
        return work.await();
    }

    /**
     * The handshake of a backend's collective: a rendezvous without tensors under its own key and the backend's sequence
     * number, so that a missing rank is named and a different call fails every rank, as for this group's collectives.
     */
    @Override
    public void agree(String op, String arguments, long sequence) {
        communicator.checkRunning(op, state.name());
        Rendezvous rendezvous = state.rendezvous("handshake #" + sequence, sequence, globalRanks);
        arrive(rendezvous, rank, CollectiveCall.collective(op, arguments, globalRank), null, null, device, null, InProcessCollectives::barrier).await();
    }

    private <T> Work<T> collective(String op, String arguments, Tensor input, Object form, Rendezvous.Computation computation) {
        communicator.checkRunning(op, state.name());
        long sequence;
        synchronized (this) {
            sequence = nextSequence++;
        }
        Rendezvous rendezvous = state.rendezvous("collective #" + sequence, sequence, globalRanks);
        TensorScope owner = input == null ? null : CollectiveArguments.resultScope(input);
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

    @Override
    public String toString() {
        return state.name() + " as rank " + globalRank;
    }
}
