package dev.crossbar.api.distributed;

import dev.crossbar.api.Device;
import dev.crossbar.api.TensorScope;
import java.util.List;

/** A rank of an {@link InProcessSpmd} run. */
final class InProcessRankContext implements RankContext {
    private final InProcessCommunicator communicator;
    private final int rank;
    private final TensorScope scope;
    private final ProcessGroup world;

    InProcessRankContext(InProcessCommunicator communicator, int rank, TensorScope scope) {
        this.communicator = communicator;
        this.rank = rank;
        this.scope = scope;
        List<Integer> all = java.util.stream.IntStream.range(0, communicator.worldSize()).boxed().toList();
        this.world = communicator.group(rank, all);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return communicator.worldSize();
    }

    @Override
    public Device device() {
        return communicator.device(rank);
    }

    @Override
    public TensorScope scope() {
        return scope;
    }

    @Override
    public ProcessGroup world() {
        return world;
    }

    @Override
    public ProcessGroup group(List<Integer> ranks) {
        return communicator.group(rank, ranks);
    }

    @Override
    public String toString() {
        return "RankContext[rank " + rank + " of " + worldSize() + " on " + device() + "]";
    }
}
