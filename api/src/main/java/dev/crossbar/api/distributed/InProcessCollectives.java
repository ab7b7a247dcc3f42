package dev.crossbar.api.distributed;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.distributed.Rendezvous.Arrival;
import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic of each collective, written with tensor ops so it runs on any backend. Runs on the thread of the
 * last rank to arrive, inside a scope that frees the intermediates; contributions are combined in rank order on the
 * device of the first rank's input, so every rank gets the same bits in every run.
 */
final class InProcessCollectives {
    private InProcessCollectives() {
    }

    static Object[] allReduce(Arrival[] all, ReduceOp op) {
        Tensor combined = reduce(all, op);
        Object[] results = new Object[all.length];
        for (Arrival a : all) {
            results[a.slot()] = combined.to(a.device());
        }
        return results;
    }

    static Object[] reduceScatter(Arrival[] all, ReduceOp op) {
        Tensor combined = reduce(all, op);
        int[] sizes = ProcessGroup.chunkSizes(combined.shape().dim(0), all.length);
        Object[] results = new Object[all.length];
        int start = 0;
        for (Arrival a : all) {
            int size = sizes[a.slot()];
            results[a.slot()] = combined.slice(0, start, start + size).to(a.device());
            start += size;
        }
        return results;
    }

    static Object[] allGather(Arrival[] all) {
        Device home = all[0].input().device();
        Tensor[] parts = new Tensor[all.length];
        for (Arrival a : all) {
            Tensor part = a.input().rank() == 0 ? a.input().reshape(1) : a.input();
            parts[a.slot()] = part.device().equals(home) ? part : part.to(home);
        }
        Tensor gathered = null;
        Object[] results = new Object[all.length];
        for (Arrival a : all) {
            if (a.form() == GatherForm.LIST) {
                List<Tensor> copies = new ArrayList<>(all.length);
                for (Arrival from : all) {
                    copies.add(from.input().to(a.device()));
                }
                results[a.slot()] = List.copyOf(copies);
            } else {
                if (gathered == null) {
                    gathered = Tensor.concat(0, parts);
                }
                results[a.slot()] = gathered.to(a.device());
            }
        }
        return results;
    }

    static Object[] broadcast(Arrival[] all, int root) {
        Object[] results = new Object[all.length];
        for (Arrival a : all) {
            results[a.slot()] = all[root].input().to(a.device());
        }
        return results;
    }

    static Object[] allToAll(Arrival[] all) {
        int[] sizes = ProcessGroup.chunkSizes(all[0].input().shape().dim(0), all.length);
        int[] starts = new int[all.length];
        for (int i = 1; i < all.length; i++) {
            starts[i] = starts[i - 1] + sizes[i - 1];
        }
        Object[] results = new Object[all.length];
        for (Arrival to : all) {
            int j = to.slot();
            Tensor[] chunks = new Tensor[all.length];
            for (Arrival from : all) {
                chunks[from.slot()] = from.input().slice(0, starts[j], starts[j] + sizes[j]).to(to.device());
            }
            results[j] = chunks.length == 1 ? chunks[0] : Tensor.concat(0, chunks);
        }
        return results;
    }

    /** Slot 0 sends, slot 1 receives. */
    static Object[] sendReceive(Arrival[] pair) {
        return new Object[] {null, pair[0].input().to(pair[1].device())};
    }

    static Object[] barrier(Arrival[] all) {
        return new Object[all.length];
    }

    /** Combines every rank's input in rank order; F16 and BF16 in F32, rounded once at the end. */
    private static Tensor reduce(Arrival[] all, ReduceOp op) {
        Device home = all[0].input().device();
        DType type = all[0].input().dtype();
        DType accumulate = type == DType.F16 || type == DType.BF16 ? DType.F32 : type;
        Tensor acc = null;
        for (Arrival a : all) {
            Tensor x = a.input().device().equals(home) ? a.input() : a.input().to(home);
            if (accumulate != type) {
                x = x.cast(accumulate);
            }
            acc = acc == null ? x : switch (op) {
                case SUM, AVG -> acc.add(x);
                case PROD -> acc.mul(x);
                case MAX -> acc.maximum(x);
                case MIN -> acc.minimum(x);
            };
        }
        if (op == ReduceOp.AVG) {
            acc = acc.div((double) all.length);
        }
        return accumulate != type ? acc.cast(type) : acc;
    }

    /** How a rank asked for an all-gather's result. */
    enum GatherForm {
        CONCATENATED,
        LIST
    }
}
