package dev.crossbar.api;

import dev.crossbar.spi.Op;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation on the API level: each op records a node whose vector-Jacobian product is written in
 * the API's own primitives, so every backend whose primitives pass the conformance kit trains with no extra work.
 *
 * <p>Tensors a node needs for its product are kept as aliases (PyTorch's saved tensors) owned by the scope of the
 * node's result: closing the original does not free memory a pending backward needs, and closing that scope frees
 * them. When {@link TensorScope#keep} moves a result to the parent scope, the aliases of the graph behind it that the
 * closing scope owns move with it, so a function may compute in a local scope and keep only its result.
 */
final class Autograd {

    /** Computes the gradients of a node's inputs from the gradient of its output; null where none is needed. */
    @FunctionalInterface
    interface Vjp {
        Tensor[] apply(Tensor gradOutput);
    }

    /** One recorded op. */
    static final class Node {
        private final String op;
        private final Tensor[] inputs;
        private final List<Tensor> saved;
        private Vjp vjp;
        private TensorScope owner;

        private Node(String op, Tensor[] inputs, List<Tensor> saved, Vjp vjp, TensorScope owner) {
            this.op = op;
            this.inputs = inputs;
            this.saved = saved;
            this.vjp = vjp;
            this.owner = owner;
        }

        String op() {
            return op;
        }

        private void release() {
            vjp = null;
            for (Tensor t : saved) {
                t.close();
            }
            saved.clear();
        }
    }

    private Autograd() {
    }

    /** Whether an op on these inputs records a node. */
    static boolean recording(Tensor... inputs) {
        if (!Grad.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /** Attaches a node to {@code result}; {@code saved} are aliases the VJP reads, freed with the graph. */
    private static void record(Tensor result, String op, Tensor[] inputs, List<Tensor> saved, Vjp vjp) {
        result.gradNode(new Node(op, inputs, saved, vjp, result.scope()));
    }

    // ---------------------------------------------------------------- recording, one method per op family

    static void unary(Op op, Tensor x, Tensor y) {
        if (!recording(x)) {
            return;
        }
        Tensor xs = x.savedFor(y);
        Tensor ys = y.savedFor(y);
        record(y, op.opName(), new Tensor[] {x}, list(xs, ys), g -> new Tensor[] {unaryVjp(op, g, xs, ys)});
    }

    private static Tensor unaryVjp(Op op, Tensor g, Tensor x, Tensor y) {
        return switch (op) {
            case NEG -> g.neg();
            case ABS -> g.mul(x.gt(zero(x)).cast(x.dtype()).sub(x.lt(zero(x)).cast(x.dtype())));
            case EXP -> g.mul(y);
            case LOG -> g.div(x);
            case SQRT -> g.div(y).mul(0.5);
            case RSQRT -> g.mul(y).mul(y).mul(y).mul(-0.5);
            case TANH -> g.mul(y.mul(y).neg().add(1.0));
            case LOGISTIC -> g.mul(y).mul(y.neg().add(1.0));
            case SIN -> g.mul(x.cos());
            case COS -> g.mul(x.sin()).neg();
            case ERF -> g.mul(x.mul(x).neg().exp()).mul(2.0 / Math.sqrt(Math.PI));
            default -> throw new IllegalStateException("not a unary op: " + op);
        };
    }

    static void binary(Op op, Tensor a, Tensor b, Tensor y) {
        if (!recording(a, b)) {
            return;
        }
        Tensor as = a.savedFor(y);
        Tensor bs = b.savedFor(y);
        Tensor ys = y.savedFor(y);
        record(y, op.opName(), new Tensor[] {a, b}, list(as, bs, ys), g -> {
            Tensor[] d = binaryVjp(op, g, as, bs, ys, a.requiresGrad(), b.requiresGrad());
            return new Tensor[] {toInput(d[0], a), toInput(d[1], b)};
        });
    }

    /** The gradients of a binary op's operands; only those {@code needA} and {@code needB} ask for are computed. */
    private static Tensor[] binaryVjp(Op op, Tensor g, Tensor a, Tensor b, Tensor y, boolean needA, boolean needB) {
        DType t = y.dtype();
        return switch (op) {
            case ADD -> new Tensor[] {g, g};
            case SUB -> new Tensor[] {g, needB ? g.neg() : null};
            case MUL -> new Tensor[] {needA ? g.mul(b) : null, needB ? g.mul(a) : null};
            case DIV -> new Tensor[] {needA ? g.div(b) : null, needB ? g.mul(y).div(b).neg() : null};
            case POW -> {
                Tensor da = needA ? g.mul(b).mul(a.pow(b.sub(1.0))) : null;
                if (!needB) {
                    yield new Tensor[] {da, null};
                }
                Tensor logA = Tensor.where(a.eq(zero(a)), zero(y), a.cast(t).log());
                yield new Tensor[] {da, g.mul(y).mul(logA)};
            }
            case MAX, MIN -> {
                // As PyTorch's maximum and minimum: ties share the gradient evenly, and an operand gets none where the
                // other one wins. A broadcast operand (the 0 of a ReLU) is expanded first, so that every compare and
                // select runs on dense memory.
                Tensor zeros = g.fullLike(y.shape(), 0, g.dtype());
                Tensor da0 = dense(a, zeros);
                Tensor db0 = dense(b, zeros);
                Tensor shared = Tensor.where(da0.eq(db0), g.mul(0.5), g);
                Tensor da = needA ? Tensor.where(op == Op.MAX ? da0.lt(db0) : da0.gt(db0), zeros, shared) : null;
                Tensor db = needB ? Tensor.where(op == Op.MAX ? da0.gt(db0) : da0.lt(db0), zeros, shared) : null;
                yield new Tensor[] {da, db};
            }
            default -> throw new IllegalStateException("not a binary op: " + op);
        };
    }

    /** {@code x} itself when it is row-major in the shape of {@code zeros}, else {@code x} broadcast and added to them. */
    private static Tensor dense(Tensor x, Tensor zeros) {
        return x.shape().equals(zeros.shape()) && x.isContiguous() ? x : zeros.add(x);
    }

    static void select(Tensor condition, Tensor a, Tensor b, Tensor y) {
        if (!recording(a, b)) {
            return;
        }
        Tensor cs = condition.savedFor(y);
        record(y, Op.SELECT.opName(), new Tensor[] {a, b}, list(cs), g -> {
            // Dense zeros rather than a broadcast scalar, so the selects run the kernels' contiguous paths.
            Tensor z = g.fullLike(g.shape(), 0, g.dtype());
            return new Tensor[] {toInput(Tensor.where(cs, g, z), a), toInput(Tensor.where(cs, z, g), b)};
        });
    }

    static void cast(Tensor x, Tensor y) {
        if (!recording(x) || !y.dtype().isFloating()) {
            return;
        }
        record(y, Op.CAST.opName(), new Tensor[] {x}, new ArrayList<>(), g -> new Tensor[] {g.cast(x.dtype())});
    }

    static void sum(Tensor x, int[] sortedAxes, Tensor y) {
        if (!recording(x)) {
            return;
        }
        Shape kept = keptShape(x.shape(), sortedAxes);
        record(y, Op.REDUCE_SUM.opName(), new Tensor[] {x}, new ArrayList<>(),
                g -> new Tensor[] {g.reshape(kept.dims()).broadcastTo(x.shape().dims())});
    }

    static void extremum(Op op, Tensor x, int[] sortedAxes, Tensor y) {
        if (!recording(x)) {
            return;
        }
        Shape kept = keptShape(x.shape(), sortedAxes);
        Tensor xs = x.savedFor(y);
        Tensor ys = y.savedFor(y);
        record(y, op.opName(), new Tensor[] {x}, list(xs, ys), g -> {
            // Ties share the gradient evenly, as PyTorch's amax/amin do.
            Tensor mask = xs.eq(ys.reshape(kept.dims())).cast(x.dtype());
            Tensor count = mask.sum(sortedAxes, true);
            return new Tensor[] {g.reshape(kept.dims()).mul(mask).div(count)};
        });
    }

    static void matmul(Tensor a, Tensor b, Tensor y) {
        if (!recording(a, b)) {
            return;
        }
        Tensor as = a.savedFor(y);
        Tensor bs = b.savedFor(y);
        record(y, "matmul", new Tensor[] {a, b}, list(as, bs), g -> {
            Tensor am = a.rank() == 1 ? as.reshape(1, a.shape().dim(0)) : as;
            Tensor bm = b.rank() == 1 ? bs.reshape(b.shape().dim(0), 1) : bs;
            Tensor gm = g.reshape(matmulOutput(am.shape(), bm.shape()).dims());
            // Sum broadcast batch axes back to each operand's matrix form, then drop the axis a vector gained. An operand
            // stored transposed (a Linear layer's weight) gets its gradient computed transposed, in the layout of the
            // tensor it was transposed from, so the gradient reaching that tensor needs no copy.
            Tensor da = null;
            if (a.requiresGrad()) {
                Tensor product = storedTransposed(am) ? bm.matmul(gm.transpose(-1, -2)).transpose(-1, -2) : gm.matmul(bm.transpose(-1, -2));
                da = asInputShape(sumTo(product, am.shape()), a);
            }
            Tensor db = null;
            if (b.requiresGrad()) {
                Tensor left = am;
                Tensor right = gm;
                if (bm.rank() == 2 && am.rank() > 2 && am.isContiguous() && gm.isContiguous()) {
                    // One matrix shared by the whole batch (x W in a transformer): fold the batch into the rows, so a
                    // single product sums over it instead of a batch of products and a reduction.
                    left = am.reshape(-1, am.shape().dim(-1));
                    right = gm.reshape(-1, gm.shape().dim(-1));
                }
                Tensor product = storedTransposed(bm) ? right.transpose(-1, -2).matmul(left).transpose(-1, -2) : left.transpose(-1, -2).matmul(right);
                db = asInputShape(sumTo(product, bm.shape()), b);
            }
            return new Tensor[] {da == null ? null : toInput(da, a), db == null ? null : toInput(db, b)};
        });
    }

    /** Drops the axis a vector operand gained; a matrix's gradient stays the view it is (reshape would copy a transposed one). */
    private static Tensor asInputShape(Tensor gradient, Tensor input) {
        return gradient.shape().equals(input.shape()) ? gradient : gradient.reshape(input.shape().dims());
    }

    /** Whether the matrix axes of {@code t} are those of a row-major matrix transposed (column-major). */
    private static boolean storedTransposed(Tensor t) {
        long[] strides = t.strides();
        int rows = t.shape().dim(-2);
        int columns = t.shape().dim(-1);
        return rows > 1 && columns > 1 && strides[strides.length - 2] == 1 && strides[strides.length - 1] == rows;
    }

    private static Shape matmulOutput(Shape a, Shape b) {
        Shape batch = Shape.broadcast("matmul", Shape.of(Arrays.copyOf(a.dims(), a.rank() - 2)), Shape.of(Arrays.copyOf(b.dims(), b.rank() - 2)));
        int[] d = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        d[batch.rank()] = a.dim(-2);
        d[batch.rank() + 1] = b.dim(-1);
        return Shape.of(d);
    }

    static void reshape(Tensor x, Tensor y) {
        if (recording(x)) {
            record(y, Op.RESHAPE.opName(), new Tensor[] {x}, new ArrayList<>(), g -> new Tensor[] {g.reshape(x.shape().dims())});
        }
    }

    static void permute(Tensor x, int[] axes, Tensor y) {
        if (!recording(x)) {
            return;
        }
        int[] inverse = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            inverse[axes[i]] = i;
        }
        record(y, Op.PERMUTE.opName(), new Tensor[] {x}, new ArrayList<>(), g -> new Tensor[] {g.permute(inverse)});
    }

    static void broadcast(Tensor x, Tensor y) {
        if (recording(x)) {
            record(y, Op.BROADCAST_TO.opName(), new Tensor[] {x}, new ArrayList<>(), g -> new Tensor[] {sumTo(g, x.shape())});
        }
    }

    static void identity(String op, Tensor x, Tensor y) {
        if (recording(x)) {
            record(y, op, new Tensor[] {x}, new ArrayList<>(), g -> new Tensor[] {g.contiguous()});
        }
    }

    static void slice(Tensor x, int axis, int start, int step, Tensor y) {
        if (recording(x)) {
            record(y, Op.SLICE.opName(), new Tensor[] {x}, new ArrayList<>(), g -> {
                Tensor dx = g.fullLike(x.shape(), 0, g.dtype());
                dx.writeInto(axis, start, step, g);
                return new Tensor[] {dx};
            });
        }
    }

    static void concat(Tensor[] inputs, int axis, Tensor y) {
        if (!recording(inputs)) {
            return;
        }
        record(y, Op.CONCAT.opName(), inputs.clone(), new ArrayList<>(), g -> {
            Tensor[] d = new Tensor[inputs.length];
            int offset = 0;
            for (int i = 0; i < inputs.length; i++) {
                int n = inputs[i].shape().dim(axis);
                d[i] = toInput(g.slice(axis, offset, offset + n), inputs[i]);
                offset += n;
            }
            return d;
        });
    }

    static void pad(Tensor x, int[] low, Tensor y) {
        if (recording(x)) {
            record(y, Op.PAD.opName(), new Tensor[] {x}, new ArrayList<>(), g -> {
                Tensor d = g;
                for (int i = 0; i < low.length; i++) {
                    d = d.slice(i, low[i], low[i] + x.shape().dim(i));
                }
                return new Tensor[] {d};
            });
        }
    }

    static void gather(Tensor x, int axis, Tensor index, Tensor y) {
        if (!recording(x)) {
            return;
        }
        Tensor is = index.savedFor(y);
        record(y, Op.GATHER.opName(), new Tensor[] {x}, list(is), g -> new Tensor[] {g.fullLike(x.shape(), 0, g.dtype()).scatterAdd(axis, is, g)});
    }

    static void scatterAdd(Tensor base, int axis, Tensor index, Tensor src, Tensor y) {
        if (!recording(base, src)) {
            return;
        }
        Tensor is = index.savedFor(y);
        record(y, Op.SCATTER_ADD.opName(), new Tensor[] {base, src}, list(is), g -> {
            Tensor picked = g.gather(axis, is);
            int[] high = new int[src.rank()];
            for (int i = 0; i < high.length; i++) {
                high[i] = src.shape().dim(i) - is.shape().dim(i);
            }
            return new Tensor[] {g.contiguous(), toInput(picked.pad(new int[high.length], high, 0), src)};
        });
    }

    static void custom(String name, Tensor[] inputs, Tensor y, boolean saveInputs,
            java.util.function.BiFunction<Tensor, List<Tensor>, List<Tensor>> backward) {
        if (!recording(inputs)) {
            return;
        }
        List<Tensor> saved = new ArrayList<>();
        if (saveInputs) {
            for (Tensor t : inputs) {
                saved.add(t.savedFor(y));
            }
        }
        List<Tensor> savedView = java.util.Collections.unmodifiableList(new ArrayList<>(saved));
        record(y, name, inputs.clone(), saved, g -> {
            // Custom backward functions may hand g's memory to a kernel or a collective: they get it row-major.
            List<Tensor> grads = backward.apply(g.isContiguous() ? g : g.contiguous(), savedView);
            if (grads.size() != inputs.length) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%s: backward returned %d gradients for %d inputs", name, grads.size(), inputs.length));
            }
            Tensor[] out = new Tensor[inputs.length];
            for (int i = 0; i < out.length; i++) {
                Tensor d = grads.get(i);
                if (d != null && !d.shape().equals(inputs[i].shape())) {
                    throw new ShapeMismatchException(name + " backward", inputs[i].shape(), d.shape(), "a gradient must have its input's shape");
                }
                out[i] = d == null ? null : toInput(d, inputs[i]);
            }
            return out;
        });
    }

    static void transfer(Tensor x, Tensor y) {
        if (recording(x)) {
            record(y, "to", new Tensor[] {x}, new ArrayList<>(), g -> new Tensor[] {g.to(x.device())});
        }
    }

    /** Moves the saved aliases of the graph behind {@code result} that {@code from} owns into {@code to}. */
    static void moveGraph(Tensor result, TensorScope from, TensorScope to) {
        Deque<Tensor> stack = new ArrayDeque<>();
        stack.push(result);
        while (!stack.isEmpty()) {
            Node node = stack.pop().gradNode();
            if (node == null || node.owner != from) {
                continue;
            }
            node.owner = to;
            for (Tensor alias : node.saved) {
                to.adopt(alias);
            }
            for (Tensor input : node.inputs) {
                stack.push(input);
            }
        }
    }

    // ---------------------------------------------------------------- the engine

    /**
     * Back-propagates {@code seed} from {@code root} to every leaf that requires gradients, accumulating into their
     * {@link Tensor#grad()}, then frees the graph.
     */
    static void backward(Tensor root, Tensor seed) {
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        TensorScope work = seed.scope();
        pending.put(root, seed.contiguous());
        try (Grad.Scope off = Grad.noGrad()) {
            for (Tensor t : order) {
                Tensor g = pending.remove(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradNode();
                if (node == null) {
                    t.accumulateGrad(g);
                    continue;
                }
                if (node.vjp == null) {
                    throw new CrossbarException(String.format(Locale.ROOT,
                            "backward: the graph through %s (producing %s) was already freed by an earlier backward(); run the forward pass again",
                            node.op, t));
                }
                Tensor[] grads;
                try (TensorScope step = work.child()) {
                    grads = node.vjp.apply(g);
                    for (int i = 0; i < grads.length; i++) {
                        if (grads[i] != null && node.inputs[i].requiresGrad()) {
                            // A new handle (the VJP may return g or a saved tensor, both closed before the input's
                            // turn); strided gradients stay views, so a transposed one reaching a transpose is not copied.
                            grads[i] = step.keep(grads[i].alias());
                        } else {
                            grads[i] = null;
                        }
                    }
                } catch (AlreadyClosedException e) {
                    throw new CrossbarException("backward through " + node.op + ": a tensor it needs was closed (" + e.getMessage()
                            + "); keep the scope of the forward pass open until backward() returns", e);
                }
                g.close();
                for (int i = 0; i < grads.length; i++) {
                    if (grads[i] != null) {
                        pending.merge(node.inputs[i], grads[i], Autograd::addAndClose);
                    }
                }
            }
        } finally {
            for (Tensor t : order) {
                Node node = t.gradNode();
                if (node != null) {
                    node.release();
                }
            }
            for (Tensor g : pending.values()) {
                g.close();
            }
        }
    }

    private static Tensor addAndClose(Tensor a, Tensor b) {
        Tensor sum = a.add(b);
        a.close();
        b.close();
        return sum;
    }

    /** Tensors reachable from {@code root} through recorded nodes, each after every tensor that depends on it. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> postOrder = new ArrayList<>();
        Set<Tensor> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradNode();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs;
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in.requiresGrad() && visited.add(in)) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                postOrder.add(t);
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }

    // ---------------------------------------------------------------- shared pieces

    /** Sums a broadcast gradient back to the shape of the input it was broadcast from. */
    static Tensor sumTo(Tensor g, Shape target) {
        if (g.shape().equals(target)) {
            return g;
        }
        int lead = g.rank() - target.rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && g.shape().dim(i) != 1)) {
                axes.add(i);
            }
        }
        Tensor summed = g.sum(axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return summed.reshape(target.dims());
    }

    /** Brings a gradient computed in the promoted type and broadcast shape back to one input's type and shape. */
    private static Tensor toInput(Tensor g, Tensor input) {
        if (!input.requiresGrad()) {
            return null;
        }
        Tensor shaped = sumTo(g, input.shape());
        return shaped.dtype() == input.dtype() ? shaped : shaped.cast(input.dtype());
    }

    private static Tensor zero(Tensor like) {
        return like.fullLike(Shape.scalar(), 0, like.dtype());
    }

    private static Shape keptShape(Shape s, int[] sortedAxes) {
        int[] d = s.dims();
        for (int a : sortedAxes) {
            d[a] = 1;
        }
        return Shape.of(d);
    }

    private static List<Tensor> list(Tensor... saved) {
        return new ArrayList<>(Arrays.asList(saved));
    }
}
