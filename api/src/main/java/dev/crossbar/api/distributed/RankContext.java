package dev.crossbar.api.distributed;

import dev.crossbar.api.Device;
import dev.crossbar.api.TensorScope;
import java.util.List;

/**
 * What one rank of an SPMD run sees: its rank, its device, its root scope and its process groups. Given to the
 * body of {@link InProcessSpmd#run} (and the runtime's {@code Spmd.run}) on the rank's own thread.
 */
public interface RankContext {
    /**
     * Returns this rank.
     *
     * @return the global rank, {@code 0 .. worldSize() - 1}
     */
    int rank();

    /**
     * Returns the number of ranks in the run.
     *
     * @return the world size
     */
    int worldSize();

    /**
     * Returns the device of this rank.
     *
     * @return the device, such as {@code cpu:3} for rank 3
     */
    Device device();

    /**
     * Returns the root scope of this rank, open on {@link #device()} for the whole body and closed after it.
     *
     * @return the scope, current on the rank's thread
     */
    TensorScope scope();

    /**
     * Returns the group of every rank.
     *
     * @return the world group
     */
    ProcessGroup world();

    /**
     * Returns the group of the given ranks. One group exists per distinct set of ranks: asking twice for the same
     * ranks, in any order, returns the same instance.
     *
     * @param ranks global ranks, this rank among them
     * @return the group, whose group ranks follow the ascending global ranks
     * @throws IllegalArgumentException if a rank is out of range or repeated, or this rank is not among them
     */
    ProcessGroup group(List<Integer> ranks);

    /**
     * Returns the group of this rank along one axis of a mesh: the ranks of {@link DeviceMesh#groupAlong}.
     *
     * @param mesh a mesh of global ranks of this run, this rank among them
     * @param axisName the axis
     * @return the group
     * @throws IllegalArgumentException if this rank is not in the mesh, the axis does not exist, or a rank of the
     *     mesh is outside the run
     */
    default ProcessGroup group(DeviceMesh mesh, String axisName) {
        return group(mesh.groupAlong(axisName, rank()));
    }

    /**
     * Wraps a rank context so that the collectives started through its groups are reported to an observer, for
     * example to count what FSDP communicates in a step: hand the wrapped context to {@code Fsdp.fullyShard}.
     *
     * @param context the context to wrap
     * @param observer told about every collective, on this rank's thread
     * @return the observed context, with the same rank, device, scope and groups
     */
    static RankContext observed(RankContext context, CollectiveObserver observer) {
        return new ObservedRankContext(context, observer);
    }
}
