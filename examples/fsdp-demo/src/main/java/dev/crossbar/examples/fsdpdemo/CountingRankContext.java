package dev.crossbar.examples.fsdpdemo;

import dev.crossbar.api.Device;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.Work;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A rank context whose process groups count the collectives started through them, per operation, with the bytes each
 * rank sends. FSDP takes its groups from the rank context it is given, so handing it this one shows what it really does
 * in a step. Confined to its rank's thread, like the context it wraps.
 */
final class CountingRankContext implements RankContext {
    /** Calls and bytes sent by this rank for one kind of collective. */
    record Count(int calls, long bytes) {
        Count plus(long moreBytes) {
            return new Count(calls + 1, bytes + moreBytes);
        }
    }

    private final RankContext delegate;
    private final Map<List<Integer>, ProcessGroup> groups = new HashMap<>();
    private Map<String, Count> counts = new TreeMap<>();

    CountingRankContext(RankContext delegate) {
        this.delegate = delegate;
    }

    /** Returns the counts since the last call and starts counting afresh. */
    Map<String, Count> takeCounts() {
        Map<String, Count> taken = counts;
        counts = new TreeMap<>();
        return taken;
    }

    private void count(String op, Tensor tensor) {
        counts.merge(op, new Count(1, tensor.size() * tensor.dtype().byteSize()), (a, b) -> a.plus(b.bytes()));
    }

    @Override
    public int rank() {
        return delegate.rank();
    }

    @Override
    public int worldSize() {
        return delegate.worldSize();
    }

    @Override
    public Device device() {
        return delegate.device();
    }

    @Override
    public TensorScope scope() {
        return delegate.scope();
    }

    @Override
    public ProcessGroup world() {
        return group(delegate.world().ranks());
    }

    @Override
    public ProcessGroup group(List<Integer> ranks) {
        ProcessGroup inner = delegate.group(ranks);
        return groups.computeIfAbsent(inner.ranks(), k -> new CountingGroup(inner));
    }

    private final class CountingGroup implements ProcessGroup {
        private final ProcessGroup inner;

        CountingGroup(ProcessGroup inner) {
            this.inner = inner;
        }

        @Override
        public int rank() {
            return inner.rank();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public List<Integer> ranks() {
            return inner.ranks();
        }

        @Override
        public Device device() {
            return inner.device();
        }

        @Override
        public Duration timeout() {
            return inner.timeout();
        }

        @Override
        public Work<Tensor> allReduceAsync(Tensor tensor, ReduceOp op) {
            count("allReduce", tensor);
            return inner.allReduceAsync(tensor, op);
        }

        @Override
        public Work<Tensor> allGatherAsync(Tensor tensor) {
            count("allGather", tensor);
            return inner.allGatherAsync(tensor);
        }

        @Override
        public Work<List<Tensor>> allGatherListAsync(Tensor tensor) {
            count("allGather", tensor);
            return inner.allGatherListAsync(tensor);
        }

        @Override
        public Work<Tensor> reduceScatterAsync(Tensor tensor, ReduceOp op) {
            count("reduceScatter", tensor);
            return inner.reduceScatterAsync(tensor, op);
        }

        @Override
        public Work<Tensor> broadcastAsync(Tensor tensor, int root) {
            count("broadcast", tensor);
            return inner.broadcastAsync(tensor, root);
        }

        @Override
        public Work<Tensor> allToAllAsync(Tensor tensor) {
            count("allToAll", tensor);
            return inner.allToAllAsync(tensor);
        }

        @Override
        public Work<Void> sendAsync(Tensor tensor, int dst) {
            count("send", tensor);
            return inner.sendAsync(tensor, dst);
        }

        @Override
        public Work<Tensor> recvAsync(int src) {
            return inner.recvAsync(src);
        }

        @Override
        public Work<Void> barrierAsync() {
            return inner.barrierAsync();
        }
    }
}
