package dev.crossbar.api.sharding;

import dev.crossbar.api.DType;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.Work;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One fully sharded unit of a model on one rank, returned by {@link Fsdp#fullyShard}, as the {@code FSDPModule} that
 * FSDP2 mixes into a module. The unit's own parameters (those no sharded descendant manages) hold this rank's dim-0
 * shard; the wrapper this unit adds to the module's forward gathers them with one all-gather and reduce-scatters
 * their gradients with one reduce-scatter.
 *
 * <p>Instances are confined to their rank's thread, like the module they wrap.
 */
public final class FsdpModule {
    private final Module module;
    private final RankContext rank;
    private final DeviceMesh mesh;
    private final FsdpOptions options;
    private final ProcessGroup shardGroup;
    private final ProcessGroup replicateGroup;
    private final List<ShardedParameter> params;
    private final List<FsdpModule> children;
    private final int flatNumel;
    private final DType masterDtype;
    private final TensorScope home;
    private FsdpModule parent;
    private boolean requiresGradientSync = true;
    private Tensor accumulated;
    private Work<Tensor> prefetchWork;
    private Tensor prefetched;
    // Root only: the order in which units began their forward in the first pass, used to prefetch from the second.
    private final List<FsdpModule> forwardOrder = new ArrayList<>();
    private int forwardPasses;

    FsdpModule(Module module, RankContext rank, DeviceMesh mesh, FsdpOptions options, Map<String, Parameter> own,
            List<FsdpModule> children) {
        this.module = module;
        this.rank = rank;
        this.mesh = mesh;
        this.options = options;
        List<String> axes = mesh.axisNames();
        this.shardGroup = rank.group(mesh, axes.get(axes.size() - 1));
        this.replicateGroup = axes.size() == 2 ? rank.group(mesh, axes.get(0)) : null;
        this.children = List.copyOf(children);
        int parts = shardGroup.size();
        int coordinate = shardGroup.rank();
        List<ShardedParameter> sharded = new ArrayList<>();
        int offset = 0;
        DType type = null;
        TensorScope scope = null;
        for (Map.Entry<String, Parameter> e : own.entrySet()) {
            Tensor full = e.getValue().value();
            if (type != null && full.dtype() != type) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "fullyShard: parameter %s is %s but the unit's other parameters are %s; one unit's parameters share a type (shard the module holding it separately)",
                        e.getKey(), full.dtype(), type));
            }
            type = full.dtype();
            scope = scope == null ? full.scope() : scope;
            ShardedParameter p = new ShardedParameter(e.getKey(), e.getValue(), parts, offset);
            offset += p.numel;
            try (Grad.Scope off = Grad.noGrad(); Tensor rows = full.reshape(p.shardedShape.dims())) {
                p.shard = full.scope().adopt(DTensor.chunkOf(rows, 0, coordinate, parts)).requiresGrad(true);
            }
            e.getValue().replace(p.shard);
            full.close();
            sharded.add(p);
        }
        this.params = List.copyOf(sharded);
        this.flatNumel = offset;
        this.masterDtype = type == null ? DType.F32 : type;
        this.home = scope == null ? rank.scope() : scope;
        for (FsdpModule child : children) {
            child.parent = this;
        }
    }

    /**
     * Returns the wrapped module.
     *
     * @return the module
     */
    public Module module() {
        return module;
    }

    /**
     * Returns the options this unit was sharded with.
     *
     * @return the options
     */
    public FsdpOptions options() {
        return options;
    }

    /**
     * Turns gradient reduction on or off for this unit and every sharded unit inside it, as FSDP2's
     * {@code set_requires_gradient_sync}: while off, backward adds each unit's unsharded gradient to a local buffer
     * and reduces nothing (the shards get no gradient); the next backward with sync on reduce-scatters the sum of the
     * buffered gradients and its own, so {@code k} micro-batches cost one reduce-scatter per unit.
     *
     * @param sync false to accumulate locally
     */
    public void setRequiresGradientSync(boolean sync) {
        requiresGradientSync = sync;
        for (FsdpModule child : children) {
            child.setRequiresGradientSync(sync);
        }
    }

    /**
     * Returns this unit's own parameters as distributed tensors ({@code Shard(0)}, under {@code Replicate} on the
     * replicate axis of an HSDP mesh), by path relative to the module; the local tensors are the live shards. A scalar
     * parameter appears with global shape {@code [1]}.
     *
     * @return the sharded parameters, in registration order
     */
    public Map<String, DTensor> shardedParameters() {
        Map<String, DTensor> out = new LinkedHashMap<>();
        for (ShardedParameter p : params) {
            out.put(p.name, DTensor.fromLocal(p.shard, mesh, shardedParameterPlacements(), p.shardedShape, rank));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Returns every parameter of this unit and of the sharded units inside it as distributed tensors over the live
     * shards, by path relative to this unit's module, in the module's registration order: the sharded state dict that
     * {@link dev.crossbar.api.checkpoint.Checkpoint#save(java.nio.file.Path, FsdpModule, ProcessGroup, Map)} writes.
     * No collective runs. A scalar parameter appears with global shape {@code [1]}.
     *
     * @return the sharded parameters
     */
    public Map<String, DTensor> shardedStateDict() {
        Map<Parameter, DTensor> byParameter = new IdentityHashMap<>();
        collectSharded(byParameter);
        Map<String, DTensor> out = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> {
            DTensor t = byParameter.remove(p);
            if (t != null) {
                out.put(name, t);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    private void collectSharded(Map<Parameter, DTensor> into) {
        for (FsdpModule child : children) {
            child.collectSharded(into);
        }
        for (ShardedParameter p : params) {
            into.put(p.parameter, DTensor.fromLocal(p.shard, mesh, shardedParameterPlacements(), p.shardedShape, rank));
        }
    }

    /**
     * All-gathers every parameter of this unit and of the sharded units inside it into whole tensors, as FSDP2's full
     * state dict; every rank of the mesh must call it.
     *
     * @return new tensors of the parameters' own shapes, by path relative to this unit's module, in the module's
     *     registration order; owned by the scope current on the calling thread
     */
    public Map<String, Tensor> fullParameters() {
        Map<Parameter, Tensor> byParameter = new IdentityHashMap<>();
        collectFull(byParameter);
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> {
            Tensor t = byParameter.remove(p);
            if (t != null) {
                out.put(name, t);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    private void collectFull(Map<Parameter, Tensor> into) {
        for (FsdpModule child : children) {
            child.collectFull(into);
        }
        try (Grad.Scope off = Grad.noGrad()) {
            for (ShardedParameter p : params) {
                try (DTensor d = DTensor.fromLocal(p.shard.detach(), mesh, shardedParameterPlacements(), p.shardedShape, rank); Tensor whole = d.full()) {
                    into.put(p.parameter, whole.reshape(p.fullShape.dims()));
                }
            }
        }
    }

    private List<Placement> shardedParameterPlacements() {
        return mesh.ndim() == 2 ? List.of(Placement.replicate(), Placement.shard(0)) : List.of(Placement.shard(0));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "FsdpModule[%s, %d parameters, %d elements per shard, rank %d]",
                module.getClass().getSimpleName(), params.size(), flatNumel, rank.rank());
    }

    // ---------------------------------------------------------------- the forward wrapper

    /** Whether this unit frees its gathered parameters after forward; a unit with sharded descendants never does. */
    private boolean reshards() {
        return options.reshardAfterForward() && children.isEmpty();
    }

    private FsdpModule root() {
        FsdpModule r = this;
        while (r.parent != null) {
            r = r.parent;
        }
        return r;
    }

    Tensor forward(Tensor input, UnaryOperator<Tensor> compute) {
        FsdpModule root = root();
        if (root == this) {
            beginForwardPass();
        }
        if (root.forwardPasses == 1) {
            root.forwardOrder.add(this);
        }
        Tensor in = castFloating(input, options.mixedPrecision() == null ? null : options.mixedPrecision().paramDtype());
        try {
            Tensor out = flatNumel == 0 ? compute.apply(in) : reshards() ? forwardResharding(in, compute) : forwardKeeping(in, compute);
            MixedPrecision mp = options.mixedPrecision();
            if (mp != null && mp.outputDtype() != null && out.dtype().isFloating() && out.dtype() != mp.outputDtype()) {
                Tensor cast = out.cast(mp.outputDtype());
                out.close();
                return cast;
            }
            return out;
        } finally {
            if (in != input) {
                in.close();
            }
        }
    }

    private void beginForwardPass() {
        forwardPasses++;
        if (forwardPasses == 1) {
            forwardOrder.clear();
        }
        discardPrefetches(this);
    }

    private static void discardPrefetches(FsdpModule unit) {
        unit.resolvePrefetch();
        if (unit.prefetched != null) {
            unit.prefetched.close();
            unit.prefetched = null;
        }
        for (FsdpModule child : unit.children) {
            discardPrefetches(child);
        }
    }

    private static Tensor castFloating(Tensor t, DType type) {
        return type == null || !t.dtype().isFloating() || t.dtype() == type ? t : t.cast(type);
    }

    /** reshardAfterForward = false: the gathered parameters are autograd results kept by the graph until backward. */
    private Tensor forwardKeeping(Tensor input, UnaryOperator<Tensor> compute) {
        Work<Tensor> own = hasPrefetch() ? null : startGather();
        FsdpModule next = prefetchTarget(true);
        if (next != null) {
            next.prefetch();
        }
        List<Tensor> shards = params.stream().map(p -> p.shard).toList();
        FlatGradient flatGradient = new FlatGradient();
        Tensor gathered = Grad.function("fsdp.allGather", shards, () -> takeGathered(own), g -> {
            try {
                return reduceScatterGradient(g);
            } finally {
                flatGradient.release();
            }
        });
        List<Tensor> views = unflatten(gathered.detach());
        List<Tensor> full = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            ShardedParameter p = params.get(i);
            Tensor view = views.get(i);
            full.add(Grad.function("fsdp.unflatten", List.of(gathered), () -> view, g -> Collections.singletonList(flatGradient.add(p, g))));
        }
        replaceAll(full);
        try {
            return compute.apply(input);
        } finally {
            restoreShards();
            if (next != null) {
                next.resolvePrefetch();
            }
        }
    }

    /**
     * reshardAfterForward = true: the unit runs as one custom function whose backward gathers again and recomputes
     * the unit's forward with gradients (activation recomputation), so whole parameters live only inside the unit.
     */
    private Tensor forwardResharding(Tensor input, UnaryOperator<Tensor> compute) {
        Work<Tensor> own = hasPrefetch() ? null : startGather();
        FsdpModule next = prefetchTarget(true);
        if (next != null) {
            next.prefetch();
        }
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(input);
        params.forEach(p -> inputs.add(p.shard));
        boolean inputNeedsGrad = input.requiresGrad();
        try {
            return Grad.function("fsdp.unit", inputs, () -> {
                try (TensorScope local = TensorScope.localFor(input)) {
                    Tensor out;
                    try (Tensor gathered = takeGathered(own)) {
                        replaceAll(unflatten(gathered));
                        try {
                            out = compute.apply(input);
                        } finally {
                            restoreShards();
                        }
                    }
                    return out.scope() == local ? local.keep(out) : out;
                }
            }, (gradient, saved) -> backwardResharding(gradient, saved.getFirst(), inputNeedsGrad, compute));
        } finally {
            if (next != null) {
                next.resolvePrefetch();
            }
        }
    }

    private List<Tensor> backwardResharding(Tensor gradient, Tensor input, boolean inputNeedsGrad, UnaryOperator<Tensor> compute) {
        Work<Tensor> own = hasPrefetch() ? null : startGather();
        FsdpModule previous = prefetchTarget(false);
        if (previous != null) {
            previous.prefetch();
        }
        List<Tensor> full;
        try (Tensor gathered = takeGathered(own)) {
            full = unflatten(gathered);
        }
        Tensor x = input.detach();
        if (inputNeedsGrad) {
            x.requiresGrad(true);
        }
        List<Tensor> fullGrads = new ArrayList<>();
        try (Grad.Scope on = Grad.enableGrad()) {
            for (Tensor f : full) {
                f.requiresGrad(true);
            }
            replaceAll(full);
            try (TensorScope local = TensorScope.localFor(x)) {
                Tensor out = compute.apply(x);
                out.backward(gradient);
            } finally {
                restoreShards();
            }
        }
        for (Tensor f : full) {
            fullGrads.add(f.grad().orElse(null));
        }
        List<Tensor> result = new ArrayList<>();
        result.add(inputNeedsGrad ? x.grad().orElse(null) : null);
        result.addAll(reduceScatterGradient(flattenGradients(fullGrads)));
        for (Tensor f : full) {
            f.close();
        }
        if (previous != null) {
            previous.resolvePrefetch();
        }
        return result;
    }

    // ---------------------------------------------------------------- prefetch

    /** The unit to prefetch: the next in forward order, or the previous resharding one for backward. */
    private FsdpModule prefetchTarget(boolean forward) {
        FsdpModule root = root();
        if (!options.prefetch() || root.forwardPasses < 2) {
            return null;
        }
        List<FsdpModule> order = root.forwardOrder;
        int at = order.indexOf(this);
        if (at < 0) {
            return null;
        }
        if (forward) {
            for (int i = at + 1; i < order.size(); i++) {
                if (order.get(i).flatNumel > 0) {
                    return order.get(i);
                }
            }
            return null;
        }
        for (int i = at - 1; i >= 0; i--) {
            FsdpModule u = order.get(i);
            if (u.flatNumel > 0 && u.reshards()) {
                return u;
            }
            if (u.flatNumel > 0) {
                return null;
            }
        }
        return null;
    }

    private boolean hasPrefetch() {
        return prefetchWork != null || prefetched != null;
    }

    private void prefetch() {
        if (!hasPrefetch()) {
            prefetchWork = startGather();
        }
    }

    /** Waits for a prefetch in flight and moves its result to this unit's scope, before the issuing scope closes. */
    private void resolvePrefetch() {
        if (prefetchWork != null) {
            Work<Tensor> w = prefetchWork;
            prefetchWork = null;
            prefetched = home.adopt(w.await());
        }
    }

    // ---------------------------------------------------------------- gather and reduce

    /** Starts the one all-gather of this unit: its shards flattened and concatenated, in the compute type. */
    private Work<Tensor> startGather() {
        DType type = computeDtype();
        try (Grad.Scope off = Grad.noGrad()) {
            Tensor[] flats = new Tensor[params.size()];
            for (int i = 0; i < flats.length; i++) {
                try (Tensor flat = params.get(i).shard.reshape(-1)) {
                    flats[i] = flat.cast(type);
                }
            }
            try (Tensor joined = Tensor.concat(0, flats)) {
                return shardGroup.allGatherAsync(joined);
            } finally {
                for (Tensor t : flats) {
                    t.close();
                }
            }
        }
    }

    /** The gathered flat buffer, owned by the current scope. */
    private Tensor takeGathered(Work<Tensor> own) {
        Tensor t;
        if (own != null) {
            t = own.await();
        } else if (prefetchWork != null) {
            t = prefetchWork.await();
            prefetchWork = null;
        } else {
            t = prefetched;
            prefetched = null;
        }
        Tensor view = t.detach();
        t.close();
        return view;
    }

    private DType computeDtype() {
        return options.mixedPrecision() == null ? masterDtype : options.mixedPrecision().paramDtype();
    }

    /** Splits the gathered {@code [n * S]} buffer into whole parameters: rank r's shards are at {@code [r * S, (r + 1) * S)}. */
    private List<Tensor> unflatten(Tensor gathered) {
        int parts = shardGroup.size();
        Tensor byRank = gathered.reshape(parts, flatNumel);
        List<Tensor> full = new ArrayList<>();
        for (ShardedParameter p : params) {
            int[] padded = p.shardedShape.dims();
            padded[0] = parts * p.chunk;
            Tensor rows = byRank.slice(1, p.offset, p.offset + p.numel).reshape(padded);
            full.add(rows.slice(0, 0, p.rows).reshape(p.fullShape.dims()));
        }
        return full;
    }

    /** Lays whole-parameter gradients out as the gathered buffer was: {@code [n * S]}, zeros for padding and gaps. */
    private Tensor flattenGradients(List<Tensor> grads) {
        Tensor flat = TensorScope.current().orElseThrow().zeros(computeDtype(), shardGroup.size() * flatNumel);
        for (int i = 0; i < params.size(); i++) {
            if (grads.get(i) != null) {
                writeGradient(flat, params.get(i), grads.get(i));
            }
        }
        return flat;
    }

    /** Writes one whole parameter's gradient into its columns of a flat gradient laid out as the gathered buffer. */
    private void writeGradient(Tensor flat, ShardedParameter p, Tensor gradient) {
        int parts = shardGroup.size();
        Tensor rows = gradient.reshape(p.shardedShape.dims());
        Tensor padded = p.rows == parts * p.chunk ? rows : DTensor.padRows(rows, 0, parts * p.chunk);
        try (Tensor byRank = flat.reshape(parts, flatNumel); Tensor columns = byRank.slice(1, p.offset, p.offset + p.numel);
                Tensor source = padded.reshape(parts, p.numel)) {
            columns.assign(source);
        } finally {
            if (padded != rows) {
                padded.close();
            }
            rows.close();
        }
    }

    /**
     * The gradient of one forward pass's gathered buffer, assembled in place: each unflattened parameter's backward
     * writes its gradient into its columns of one zeroed flat buffer, instead of each producing a whole zeroed buffer
     * for the engine to add up. The first parameter to get a gradient hands the buffer to the engine as the gathered
     * buffer's gradient and the others hand over none; the engine reaches the gathered buffer only after every
     * parameter sliced from it, so by then the buffer holds every gradient.
     */
    private final class FlatGradient {
        private Tensor flat;

        Tensor add(ShardedParameter p, Tensor gradient) {
            boolean first = flat == null;
            if (first) {
                flat = home.zeros(computeDtype(), shardGroup.size() * flatNumel);
            }
            writeGradient(flat, p, gradient);
            return first ? flat : null;
        }

        void release() {
            if (flat != null) {
                flat.close();
                flat = null;
            }
        }
    }

    /**
     * The backward of the all-gather: one reduce-scatter of the flat gradient (SUM in the reduce type, then divided by
     * the shard group's size, so gradients are averaged as in DDP), then on an HSDP mesh an all-reduce (AVG) across
     * replicas; split into shard gradients of the master type. Without gradient sync the flat gradient is buffered and
     * the shards get none.
     */
    private List<Tensor> reduceScatterGradient(Tensor flat) {
        if (!requiresGradientSync) {
            Tensor g = flat.cast(masterDtype);
            if (accumulated == null) {
                accumulated = home.adopt(g);
            } else {
                Tensor sum = accumulated.add(g);
                accumulated.close();
                accumulated = home.adopt(sum);
            }
            return Arrays.asList(new Tensor[params.size()]);
        }
        Tensor total = flat;
        if (accumulated != null) {
            total = flat.cast(masterDtype).add(accumulated);
            accumulated.close();
            accumulated = null;
        }
        DType reduce = options.mixedPrecision() == null ? masterDtype : options.mixedPrecision().reduceDtype();
        Tensor mine = shardGroup.reduceScatter(total.cast(reduce), ReduceOp.SUM).div((double) shardGroup.size());
        if (replicateGroup != null && replicateGroup.size() > 1) {
            mine = replicateGroup.allReduce(mine, ReduceOp.AVG);
        }
        List<Tensor> grads = new ArrayList<>();
        for (ShardedParameter p : params) {
            grads.add(mine.slice(0, p.offset, p.offset + p.numel).reshape(p.shardDims).cast(masterDtype));
        }
        return grads;
    }

    private void replaceAll(List<Tensor> full) {
        for (int i = 0; i < params.size(); i++) {
            params.get(i).parameter.replace(full.get(i));
        }
    }

    private void restoreShards() {
        for (ShardedParameter p : params) {
            p.parameter.replace(p.shard);
        }
    }
}
