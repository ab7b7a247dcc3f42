package dev.crossbar.api.distributed;

import dev.crossbar.api.DType;
import dev.crossbar.api.DTypeNotAdmittedException;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;

/**
 * The argument checks a {@link ProcessGroup} implementation makes before it starts a collective, shared by the
 * in-process, MPI and backend communicators so that every one of them rejects the same input with the same message.
 * Each check throws before any rank has communicated, so a rejected call never leaves the other ranks waiting.
 */
public final class CollectiveArguments {
    private CollectiveArguments() {}

    /**
     * Requires a tensor on a device of the group's backend.
     *
     * @param op the collective's name, as the message shows it, such as {@code "allGather"}
     * @param group the group the call was made on
     * @param tensor the tensor passed
     * @throws NullPointerException if {@code tensor} is null
     * @throws IllegalArgumentException if the tensor lives on another backend, naming both and the fix
     */
    public static void requireOnGroupBackend(String op, ProcessGroup group, Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor is null");
        String backend = group.device().backend();
        if (!tensor.device().backend().equals(backend)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: %s lives on %s but %s communicates between devices of backend '%s'; move it with to(group.device())",
                    op, tensor, tensor.device(), group, backend));
        }
    }

    /**
     * Requires a tensor on the group's backend whose type the reduction admits: no {@code BOOL}, and integers only for
     * reductions that admit them ({@link ReduceOp#admitsIntegers()}).
     *
     * @throws DTypeNotAdmittedException naming the call and the admitted types
     */
    public static void requireReducible(String op, ProcessGroup group, Tensor tensor, ReduceOp reduceOp) {
        requireOnGroupBackend(op, group, tensor);
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

    /**
     * Requires a tensor with a dimension 0 to split among the ranks (reduce-scatter, all-to-all).
     *
     * @throws IllegalArgumentException for a scalar, suggesting a reshape
     */
    public static void requireSplittable(String op, Tensor tensor) {
        if (tensor.rank() == 0) {
            throw new IllegalArgumentException(op + " splits dim 0 among the ranks, but " + tensor + " is a scalar; reshape it to [1] or more");
        }
    }

    /**
     * Requires a group rank for a root or a point-to-point peer.
     *
     * @param role what the rank is for, as the message shows it, such as {@code "root"} or {@code "dst"}
     * @param selfAllowed whether the calling rank itself may be named (a broadcast root may, a send destination may not)
     * @throws IllegalArgumentException naming the rank and the group's valid ranks
     */
    public static void requirePeer(String op, ProcessGroup group, String role, int peer, boolean selfAllowed) {
        if (peer < 0 || peer >= group.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %s %d is not a group rank of %s; group ranks are 0 to %d",
                    op, role, peer, group, group.size() - 1));
        }
        if (!selfAllowed && peer == group.rank()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %s %d is this rank; send and recv need another rank of %s",
                    op, role, peer, group));
        }
    }

    /** The tensor as a call's argument appears in messages, such as {@code "f32[4, 2]"}. */
    public static String describe(Tensor tensor) {
        return CollectiveCall.tensorArgument(tensor.dtype(), tensor.shape());
    }

    /**
     * The scope that owns a collective's result computed from {@code input}, by the API's rule for op results: the
     * thread's current scope when it is on the input's backend, the input's scope otherwise.
     */
    public static TensorScope resultScope(Tensor input) {
        return TensorScope.current().filter(s -> s.device().backend().equals(input.device().backend())).orElseGet(input::scope);
    }
}
