package dev.crossbar.api.distributed;

import dev.crossbar.api.Device;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A rank context whose groups report every collective to an observer; confined to its rank's thread. */
final class ObservedRankContext implements RankContext {
    private final RankContext delegate;
    private final CollectiveObserver observer;
    private final Map<List<Integer>, ProcessGroup> groups = new HashMap<>();

    ObservedRankContext(RankContext delegate, CollectiveObserver observer) {
        this.delegate = delegate;
        this.observer = observer;
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
        return groups.computeIfAbsent(inner.ranks(), k -> new ObservedGroup(inner));
    }

    private final class ObservedGroup implements ProcessGroup {
        private final ProcessGroup inner;

        ObservedGroup(ProcessGroup inner) {
            this.inner = inner;
        }

        /** Reports the start, starts the collective, and reports the first await of its result. */
        private <T> Work<T> observe(String op, Tensor input, Supplier<Work<T>> collective) {
            observer.started(op, input);
            Work<T> work = collective.get();
            return new Work<>() {
                private boolean finished;

                @Override
                public T await() {
                    return finish(work.await());
                }

                @Override
                public T await(Duration timeout) {
                    return finish(work.await(timeout));
                }

                private T finish(T result) {
                    if (!finished) {
                        finished = true;
                        observer.finished(op);
                    }
                    return result;
                }

                @Override
                public boolean isDone() {
                    return work.isDone();
                }
            };
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
            return observe("allReduce", tensor, () -> inner.allReduceAsync(tensor, op));
        }

        @Override
        public Work<Tensor> allGatherAsync(Tensor tensor) {
            return observe("allGather", tensor, () -> inner.allGatherAsync(tensor));
        }

        @Override
        public Work<List<Tensor>> allGatherListAsync(Tensor tensor) {
            return observe("allGather", tensor, () -> inner.allGatherListAsync(tensor));
        }

        @Override
        public Work<Tensor> reduceScatterAsync(Tensor tensor, ReduceOp op) {
            return observe("reduceScatter", tensor, () -> inner.reduceScatterAsync(tensor, op));
        }

        @Override
        public Work<Tensor> broadcastAsync(Tensor tensor, int root) {
            return observe("broadcast", tensor, () -> inner.broadcastAsync(tensor, root));
        }

        @Override
        public Work<Tensor> allToAllAsync(Tensor tensor) {
            return observe("allToAll", tensor, () -> inner.allToAllAsync(tensor));
        }

        @Override
        public Work<Void> sendAsync(Tensor tensor, int dst) {
            return observe("send", tensor, () -> inner.sendAsync(tensor, dst));
        }

        @Override
        public Work<Tensor> recvAsync(int src) {
            return observe("recv", null, () -> inner.recvAsync(src));
        }

        @Override
        public Work<Void> barrierAsync() {
            return observe("barrier", null, inner::barrierAsync);
        }
    }
}
