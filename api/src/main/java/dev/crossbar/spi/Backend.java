package dev.crossbar.spi;

import dev.crossbar.api.Device;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.spi.memory.MemoryStats;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/** A created backend: its devices, memory and kernels. Created by {@link BackendProvider#create}. */
public interface Backend extends AutoCloseable {
    /**
     * Returns the backend's name, the same as its provider's.
     *
     * @return the name
     */
    String name();

    /**
     * Returns the devices, index 0 first.
     *
     * @return the devices
     */
    List<Device> devices();

    /**
     * Allocates uninitialized memory on a device.
     *
     * @param device one of {@link #devices()}
     * @param byteSize bytes, may be 0
     * @return the buffer
     */
    DeviceBuffer allocate(Device device, long byteSize);

    /**
     * Copies host memory into a buffer.
     *
     * @param source host memory, {@code source.byteSize()} bytes are copied
     * @param destination the buffer
     * @param destinationOffset byte offset in the buffer
     */
    void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset);

    /**
     * Copies part of a buffer into host memory, waiting for pending work on it.
     *
     * @param source the buffer
     * @param sourceOffset byte offset in the buffer
     * @param destination host memory, {@code destination.byteSize()} bytes are written
     */
    void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination);

    /**
     * Copies between two buffers of this backend, possibly on different devices.
     *
     * @param source the source buffer
     * @param sourceOffset byte offset in the source
     * @param destination the destination buffer
     * @param destinationOffset byte offset in the destination
     * @param byteCount bytes to copy
     */
    void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount);

    /**
     * Wraps host memory as a buffer without copying, when the device's memory is host memory.
     *
     * @param device the device
     * @param segment the memory; the caller keeps it alive while the buffer is used
     * @return the buffer, or empty when the device cannot address host memory directly
     */
    Optional<DeviceBuffer> wrapHostMemory(Device device, MemorySegment segment);

    /**
     * Returns the kernels.
     *
     * @return the kernel set
     */
    KernelSet kernels();

    /**
     * Finishes the work recorded so far. Lazy graph backends compile (or reuse) and run the pending graph here, so the
     * API calls it at materialization points: the end of an optimizer step and {@link dev.crossbar.api.Tensor#synchronize()}.
     * Reading values ({@link #copyToHost}) synchronizes by itself. Eager backends have nothing to do.
     */
    default void synchronize() {
    }

    /**
     * Finishes the work recorded so far for one device, as {@link #synchronize()} does for all of them. In an SPMD run each
     * rank synchronizes its own device: a lazy graph backend whose program holds collectives then runs it together with the
     * other ranks' programs, so one rank must not run another's. Backends without per-device work synchronize everything.
     *
     * @param device one of the backend's devices
     */
    default void synchronize(Device device) {
        synchronize();
    }

    /**
     * Returns what the backend's allocators hold and have done, summed over its devices, for the runtime's accounting
     * ({@code Crossbar.memory()}): bytes allocated and cached, the peak, requests and cache hits.
     *
     * @return the statistics, or empty when the backend allocates without a cache it can count
     */
    default Optional<MemoryStats> memoryStats() {
        return Optional.empty();
    }

    /**
     * Returns the backend's own collectives, used instead of the runtime's in-process and MPI communicators when every
     * rank of a run is a device of this backend (NCCL for cuda, RCCL for rocm).
     *
     * @return the factory, or empty when the runtime's communicators carry this backend's collectives
     */
    default Optional<CommunicatorFactory> communicators() {
        return Optional.empty();
    }

    /**
     * Checks a device mesh that FSDP or HSDP is about to shard parameters over, before anything is sharded, for backends
     * whose devices constrain the meshes they can run (which cores are connected, which groups stay on one instance).
     * {@code Fsdp.fullyShard} calls it on every rank; the default accepts every mesh.
     *
     * @param mesh a 1-D mesh (FSDP, its axis shards) or a 2-D mesh (HSDP, axis 0 replicates and axis 1 shards) of
     *     global ranks
     * @throws dev.crossbar.api.CrossbarException naming the mesh, the devices and the fix, when the devices cannot run
     *     the mesh
     */
    default void checkShardingMesh(DeviceMesh mesh) {
    }

    /** Releases the backend's contexts and pools. Buffers must be closed first. */
    @Override
    void close();
}
