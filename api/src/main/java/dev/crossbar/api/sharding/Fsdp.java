package dev.crossbar.api.sharding;

import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.nn.Parameter;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Fully sharded data parallelism with the semantics of PyTorch's FSDP2 ({@code fully_shard}): each rank keeps one
 * dim-0 shard of every parameter, gathers a unit's parameters just before the unit computes and reduce-scatters its
 * gradients just after its backward.
 *
 * <pre>{@code
 * Gpt model = new Gpt(rank.scope(), new Generator(0), config);         // same seed on every rank
 * DeviceMesh mesh = DeviceMesh.of(new int[] {rank.worldSize()}, "shard");
 * for (TransformerBlock block : blocks) {
 *     Fsdp.fullyShard(block, rank, mesh, FsdpOptions.defaults());      // bottom-up: the blocks first,
 * }
 * FsdpModule root = Fsdp.fullyShard(model, rank, mesh, FsdpOptions.defaults());   // then the root
 * Optimizer adam = new AdamW(model.parameters(), ...);                  // updates the local shards only
 * }</pre>
 *
 * <p><b>Sharding.</b> A unit's own parameters, those no unit sharded before inside it manages, are split on dim 0
 * into equal chunks of {@code ceil(d0 / n)} rows, the last ranks' chunks padded with zeros, over the mesh's shard
 * axis. Each {@link Parameter}'s value becomes this rank's shard: a leaf that requires gradients, in the parameter's
 * own type (the full-precision master weights), so an optimizer built afterwards updates only the shard and keeps
 * sharded state. The whole tensors are freed.
 *
 * <p><b>Communication.</b> A unit gathers with one all-gather of its concatenated, flattened shards (cast to
 * {@link MixedPrecision#paramDtype()} when set) and reduces with one reduce-scatter of the concatenated gradient (in
 * {@link MixedPrecision#reduceDtype()}, summed and divided by the shard group's size, so gradients are averaged over
 * the ranks as in DDP; the loss of each rank is the mean over its own part of the batch). With
 * {@link FsdpOptions#reshardAfterForward()} (the default) a unit without sharded units inside runs as one custom
 * autograd function: its forward gathers, computes without recording and frees the gathered parameters; its backward
 * gathers again and <em>recomputes the unit's forward</em> with gradients before back-propagating through it
 * (activation recomputation), so whole parameters are never held between forward and backward; the unit's forward
 * must therefore be deterministic (seed dropout explicitly). Otherwise the gathered parameters stay in the autograd
 * graph until backward and nothing is recomputed. A unit with sharded units inside, such as the root, keeps its
 * parameters from forward to backward, as FSDP2 does for its root.
 *
 * <p><b>Prefetch.</b> The first forward pass records the order in which units run. From the second, a unit that
 * gathers also starts the next unit's all-gather asynchronously and the next unit consumes it; in backward, a
 * resharding unit starts the all-gather of the unit that runs its backward next (the previous in forward order). Every
 * pass must run the units in the same order, as FSDP2 assumes.
 *
 * <p><b>HSDP.</b> On a 2-D mesh (axis 0 replicate, axis 1 shard, for example {@code ("replicate", "shard")})
 * parameters are sharded over the shard axis and replicated over the other; after the reduce-scatter over the shard
 * axis, the shard's gradient is all-reduced (AVG) across the replicate axis.
 *
 * <p><b>Gradient accumulation.</b> {@link FsdpModule#setRequiresGradientSync(boolean)} turns the reduce-scatter off
 * for micro-batches; the unsharded gradients accumulate locally and the next synced backward reduces their sum.
 */
public final class Fsdp {
    // The handle lives as long as its module (the module's forward wrapper refers to it); a weak value lets both go.
    private static final Map<Module, WeakReference<FsdpModule>> UNITS = Collections.synchronizedMap(new WeakHashMap<>());

    private Fsdp() {
    }

    /**
     * Shards one unit of a model on this rank. Call it bottom-up, on each inner unit (a transformer block) and then
     * on the root, before creating the optimizer; every rank of the mesh calls it with the same model, built with the
     * same seed.
     *
     * @param unit the module to shard; its forward gains the gathering wrapper
     * @param rank this rank's context, which provides the mesh axes' process groups
     * @param mesh a 1-D mesh (its axis is the shard axis) or a 2-D mesh (replicate, shard) of this run's ranks
     * @param options resharding, mixed precision and prefetch
     * @return the unit's handle
     * @throws IllegalArgumentException if the unit is already sharded, the mesh has more than two axes or does not
     *     contain this rank, or the unit's own parameters have different types
     * @throws dev.crossbar.api.CrossbarException if the backend's devices cannot run the mesh
     *     ({@link dev.crossbar.spi.Backend#checkShardingMesh}), such as an HSDP shard group spanning Neuron instances
     */
    public static FsdpModule fullyShard(Module unit, RankContext rank, DeviceMesh mesh, FsdpOptions options) {
        Objects.requireNonNull(unit, "unit is null");
        Objects.requireNonNull(rank, "rank is null");
        Objects.requireNonNull(mesh, "mesh is null");
        Objects.requireNonNull(options, "options is null");
        if (of(unit).isPresent()) {
            throw new IllegalArgumentException(unit.getClass().getSimpleName() + " is already fully sharded: " + of(unit).get());
        }
        if (mesh.ndim() < 1 || mesh.ndim() > 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "fullyShard needs a 1-D mesh (shard) or a 2-D mesh (replicate, shard), got %s with axes %s", mesh, mesh.axisNames()));
        }
        if (!mesh.contains(rank.rank())) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "fullyShard: rank %d is not in mesh %s", rank.rank(), mesh));
        }
        rank.scope().checkShardingMesh(mesh);
        List<FsdpModule> children = new ArrayList<>();
        for (Module child : unit.children().values()) {
            findUnits(child, children);
        }
        Set<Parameter> managed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (FsdpModule child : children) {
            managed.addAll(child.module().parameters());
        }
        Map<String, Parameter> own = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        unit.namedParameters().forEach((name, p) -> {
            if (!managed.contains(p) && seen.add(p)) {
                own.put(name, p);
            }
        });
        FsdpModule handle = new FsdpModule(unit, rank, mesh, options, own, children);
        unit.wrapForward(handle::forward);
        UNITS.put(unit, new WeakReference<>(handle));
        return handle;
    }

    /**
     * Returns the handle of a module sharded by {@link #fullyShard}, if it was.
     *
     * @param module a module
     * @return the handle
     */
    public static java.util.Optional<FsdpModule> of(Module module) {
        WeakReference<FsdpModule> ref = UNITS.get(module);
        return java.util.Optional.ofNullable(ref == null ? null : ref.get());
    }

    /** The outermost sharded units at or below {@code module}. */
    private static void findUnits(Module module, List<FsdpModule> into) {
        java.util.Optional<FsdpModule> unit = of(module);
        if (unit.isPresent()) {
            into.add(unit.get());
            return;
        }
        for (Module child : module.children().values()) {
            findUnits(child, into);
        }
    }
}
