package dev.crossbar.spi.codegen;

import dev.crossbar.api.Device;
import dev.crossbar.spi.CommunicatorBootstrap;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.spi.ffi.NcclApi;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Function;

/**
 * The collectives of a GPU backend through the NCCL API (NVIDIA's NCCL, ROCm's RCCL): each group is an
 * {@code ncclComm_t} whose unique id rank zero makes ({@code ncclGetUniqueId}) and the runtime's bootstrap hands to the
 * other ranks before every rank joins with {@code ncclCommInitRank}. Collectives run on the rank's device stream, in
 * order with its kernels; see {@link #create} for the group's behaviour.
 */
public final class NcclCommunicators implements CommunicatorFactory {
    private final NcclApi nccl;
    private final int versionCode;
    private final Function<Device, ? extends StreamDevice> devices;

    /**
     * Creates the factory.
     *
     * @param nccl the bound library
     * @param devices the backend's device of a device name (the backend's own lookup, which names unknown devices)
     */
    public NcclCommunicators(NcclApi nccl, Function<Device, ? extends StreamDevice> devices) {
        this.nccl = Objects.requireNonNull(nccl, "nccl is null");
        this.devices = Objects.requireNonNull(devices, "devices is null");
        this.versionCode = nccl.versionCode();
    }

    /**
     * Joins the group's NCCL communicator. Each collective first agrees with the other ranks on the call over the
     * bootstrap ({@link CommunicatorBootstrap#agree}, one small host exchange): a rank that never calls is named in a
     * {@link dev.crossbar.api.distributed.CollectiveTimeoutException}, a different call fails every rank with a
     * {@link dev.crossbar.api.distributed.CollectiveMismatchException}, both before NCCL is called. Then the collective
     * is queued on the device's stream and returns a {@link dev.crossbar.api.distributed.Work} that polls the stream:
     * when the group's timeout passes first, the communicator is aborted ({@code ncclCommAbort}) and the collective,
     * and every later one of the group, fails with a timeout naming the collective and its sequence number; an error
     * NCCL reports asynchronously ({@code ncclCommGetAsyncError}) fails it with its {@code ncclResult_t} name.
     * All-to-all is grouped {@code ncclSend}/{@code ncclRecv}; {@code recv} learns the sent tensor's type and shape
     * from a header the sender sends first; the barrier is the handshake followed by the rank's stream running dry.
     */
    @Override
    public Communicator create(Membership membership, CommunicatorBootstrap bootstrap) {
        StreamDevice device = devices.apply(membership.device());
        byte[] id = bootstrap.shareFromRankZero(nccl::getUniqueId);
        device.makeCurrent();
        MemorySegment communicator = nccl.commInitRank(membership.ranks().size(), id, membership.groupRank());
        return new NcclGroup(nccl, versionCode, device, membership, communicator, bootstrap);
    }
}
