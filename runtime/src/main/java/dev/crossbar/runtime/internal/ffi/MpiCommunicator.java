package dev.crossbar.runtime.internal.ffi;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.spi.CommunicatorBootstrap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's connection to an Open MPI job: initializes MPI once, holds the communicators and the control
 * channel, and drives the progress of every pending operation.
 *
 * <p>Threads: MPI is initialized with {@code MPI_THREAD_MULTIPLE}. Every MPI call of the process but one goes through
 * one lock, so any thread may start or await a collective but only one at a time is inside MPI. Whichever thread
 * awaits drives the progress of all pending operations (MPI progresses non-blocking operations only inside MPI calls).
 * The exception is {@code MPI_Comm_create_group}, which blocks until every member of the group calls it: it runs on a
 * thread of its own, outside the lock, while the collective that needs it waits against its timeout like any other.
 * Called under the lock it could deadlock the job: two ranks whose handshakes completed for two different groups in
 * different orders would each wait inside MPI for the other, and a rank that gave up on a collective after announcing
 * it would leave the others inside MPI for ever.
 *
 * <p>Communicators: the data of the world group travels on a duplicate of {@code MPI_COMM_WORLD}; a sub-group gets
 * its communicator from {@code MPI_Comm_create_group} (called by its members only) at its first collective, after the
 * handshake has shown that every member is there; point-to-point data travels on the world duplicate with a tag
 * announced by the sender. Control messages (arrivals, abandoned collectives, send announcements, failed ranks)
 * travel on a second duplicate, with one {@code MPI_Irecv} always posted per peer. Every communicator returns errors
 * ({@code MPI_ERRORS_RETURN}) instead of aborting the job.
 *
 * <p>{@code MPI_Finalize} runs at JVM shutdown unless a collective was left in flight or a rank failed: then MPI's
 * state is not clean, finalizing could wait for a dead rank, and the process exits without it (mpirun then reports the
 * job as failed).
 */
public final class MpiCommunicator {
    private static final Logger LOG = LoggerFactory.getLogger(MpiCommunicator.class);
    /** The environment variable mpirun sets in every process it starts (Open MPI). */
    public static final String WORLD_SIZE_VARIABLE = "OMPI_COMM_WORLD_SIZE";
    private static final String LOCAL_RANK_VARIABLE = "OMPI_COMM_WORLD_LOCAL_RANK";
    private static final String LOCAL_SIZE_VARIABLE = "OMPI_COMM_WORLD_LOCAL_SIZE";
    private static final int CONTROL_TAG = 1;
    private static final int FIRST_DATA_TAG = 2;
    /** Data tags cycle through this many values per peer; MPI guarantees tags up to 32767. */
    private static final int DATA_TAGS = 30_000;
    private static final int FIRST_GROUP_TAG = 100;

    private static MpiCommunicator instance;

    final NativeMpi mpi;
    private final ReentrantLock lock = new ReentrantLock();
    private final int rank;
    private final int size;
    private final int localRank;
    private final int localSize;
    private final MemorySegment dataWorld;
    private final MemorySegment control;
    private final MemorySegment[] receiveBuffers;
    private final MemorySegment[] receiveRequests;
    private final MemorySegment flag = Arena.global().allocate(ValueLayout.JAVA_INT);
    private final MemorySegment status = Arena.global().allocate(NativeMpi.STATUS_BYTES, 8);
    private final List<MemorySegment[]> pendingSends = new ArrayList<>();
    private final ArrayDeque<MemorySegment[]> freeSendSlots = new ArrayDeque<>();
    private final Map<String, MpiGroup> groups = new HashMap<>();
    private final Map<String, List<Map.Entry<Integer, ControlRecord>>> early = new HashMap<>();
    /** The ranks that announced a failure, by channel. */
    private final Map<String, Map<Integer, String>> failedRanks = new HashMap<>();
    private final int[] nextTag;
    private final MemorySegment maxNan;
    private final MemorySegment minNan;
    private final String version;
    private boolean unclean;
    /** Creations of communicators still inside MPI; finalizing would wait for them. */
    private final AtomicInteger creationsInFlight = new AtomicInteger();

    private MpiCommunicator(NativeMpi mpi) {
        this.mpi = mpi;
        if (mpi.initialized()) {
            throw new MpiException("MPI was already initialized in this process by other code; Crossbar initializes it itself", null);
        }
        int provided = mpi.initThread(NativeMpi.MPI_THREAD_MULTIPLE);
        if (provided < NativeMpi.MPI_THREAD_MULTIPLE) {
            throw new MpiException(String.format(Locale.ROOT,
                    "Open MPI provides thread level %d, below MPI_THREAD_MULTIPLE (3) which Crossbar needs; use an Open MPI built with thread support "
                            + "(ompi_info | grep MPI_THREAD_MULTIPLE)", provided), null);
        }
        MemorySegment world = mpi.commWorld;
        mpi.commSetErrorsReturn(world);
        rank = mpi.commRank(world);
        size = mpi.commSize(world);
        localRank = environmentInt(LOCAL_RANK_VARIABLE, 0);
        localSize = environmentInt(LOCAL_SIZE_VARIABLE, 1);
        dataWorld = mpi.commDup(world);
        mpi.commSetErrorsReturn(dataWorld);
        control = mpi.commDup(world);
        mpi.commSetErrorsReturn(control);
        version = mpi.libraryVersion();
        nextTag = new int[size];
        NanPropagatingExtrema.bind(mpi.doubleType);
        maxNan = mpi.opCreate(mpi.userFunction(NativeMpi.userFunctionTarget(NanPropagatingExtrema.class, "max")));
        minNan = mpi.opCreate(mpi.userFunction(NativeMpi.userFunctionTarget(NanPropagatingExtrema.class, "min")));
        receiveBuffers = new MemorySegment[size];
        receiveRequests = new MemorySegment[size];
        for (int peer = 0; peer < size; peer++) {
            if (peer != rank) {
                receiveBuffers[peer] = Arena.global().allocate(ControlRecord.MAX_BYTES, 8);
                receiveRequests[peer] = Arena.global().allocate(ValueLayout.ADDRESS);
                postControlReceive(peer);
            }
        }
        LOG.debug("MPI rank {} of {} (local rank {} of {}): {}", rank, size, localRank, localSize, version);
    }

    /**
     * Tells whether this process was started by Open MPI's mpirun (or another launcher that sets
     * {@value #WORLD_SIZE_VARIABLE}).
     *
     * @return true under mpirun
     */
    public static boolean launchedByMpirun() {
        return System.getenv(WORLD_SIZE_VARIABLE) != null;
    }

    /**
     * Returns this process's MPI connection, initializing MPI at the first call.
     *
     * @return the communicator
     * @throws MpiException if Open MPI cannot be loaded or initialized
     */
    public static synchronized MpiCommunicator get() {
        if (instance == null) {
            instance = new MpiCommunicator(NativeMpi.load());
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("crossbar-mpi-finalize").unstarted(instance::finalizeAtExit));
        }
        return instance;
    }

    /**
     * Returns this process's rank in {@code MPI_COMM_WORLD}.
     *
     * @return the rank
     */
    public int rank() {
        return rank;
    }

    /**
     * Returns the number of processes in {@code MPI_COMM_WORLD}.
     *
     * @return the world size
     */
    public int size() {
        return size;
    }

    /**
     * Returns this process's rank among the job's processes on this host ({@code OMPI_COMM_WORLD_LOCAL_RANK}).
     *
     * @return the local rank, 0 when the launcher does not say
     */
    public int localRank() {
        return localRank;
    }

    /**
     * Returns the number of the job's processes on this host ({@code OMPI_COMM_WORLD_LOCAL_SIZE}).
     *
     * @return the local size, 1 when the launcher does not say
     */
    public int localSize() {
        return localSize;
    }

    /**
     * Returns the MPI library's version string.
     *
     * @return {@code MPI_Get_library_version}'s text
     */
    public String libraryVersion() {
        return version;
    }

    /**
     * Returns this process's view of a group: one instance per channel and set of ranks.
     *
     * @param channel the name of an independent set of groups, such as {@code "world"}; groups of different channels
     *     never see each other's collectives
     * @param ranks global ranks, ascending, this process's rank among them
     * @param name the group's name in messages, such as {@code "world [0, 1]"}
     * @param device this rank's device
     * @param timeout the collective timeout
     * @return the group
     */
    public ProcessGroup group(String channel, List<Integer> ranks, String name, Device device, Duration timeout) {
        return group(channel, channel + " " + ranks, ranks, name, device, timeout);
    }

    private MpiGroup group(String channel, String key, List<Integer> ranks, String name, Device device, Duration timeout) {
        lock.lock();
        try {
            MpiGroup existing = groups.get(key);
            if (existing != null) {
                return existing;
            }
            // The world of the "world" channel uses the duplicate of MPI_COMM_WORLD; every other group gets its own
            // communicator at its first collective, so collectives of different channels never meet in MPI's matching.
            MpiGroup group = new MpiGroup(this, channel, key, name, ranks, device, timeout,
                    ranks.size() == size && key.equals("world " + ranks) ? dataWorld : null);
            groups.put(key, group);
            List<Map.Entry<Integer, ControlRecord>> waiting = early.remove(key);
            if (waiting != null) {
                waiting.forEach(e -> group.deliver(e.getKey(), e.getValue()));
            }
            return group;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the bootstrap of a device communicator over the given ranks: the group's first rank makes the bytes (an
     * NCCL or RCCL unique id) and MPI broadcasts them, after the usual handshake, within the timeout; each of the
     * device communicator's collectives is then checked by a handshake of its own, in a group of the channel that
     * carries nothing else, so its sequence numbers are the device communicator's.
     *
     * @param channel the channel of the group
     * @param ranks global ranks, ascending, this process's rank among them
     * @param name the group's name in messages, such as {@code "world [0, 1]"}
     * @param device this rank's device
     * @param timeout how long every rank has to arrive
     * @return the bootstrap, for a backend's communicator factory
     */
    public CommunicatorBootstrap bootstrap(String channel, List<Integer> ranks, String name, Device device, Duration timeout) {
        return (MpiGroup) group(channel, ranks, name, device, timeout);
    }

    /** The group that carries the handshakes of the device communicator a bootstrap group started. */
    MpiGroup handshakes(MpiGroup bootstrap) {
        return group(bootstrap.channel(), bootstrap.key() + " handshakes", bootstrap.ranks(), bootstrap.name(), bootstrap.device(), bootstrap.timeout());
    }

    /**
     * Tells every other process that this rank failed in a channel, so their collectives with it there fail at once
     * instead of waiting for their timeout.
     *
     * @param channel the channel of the groups the rank leaves
     * @param reason what happened, for their messages
     */
    public void announceFailure(String channel, String reason) {
        locked(() -> {
            for (int peer = 0; peer < size; peer++) {
                if (peer != rank) {
                    sendControl(peer, ControlRecord.failed(channel, reason));
                }
            }
            // Give the messages a chance to leave before the process ends.
            long until = System.nanoTime() + 1_000_000_000L;
            while (!pendingSends.isEmpty() && System.nanoTime() < until) {
                testSends();
            }
        });
    }

    // ---------------------------------------------------------------- used by the groups, under the lock

    void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /** Drains the control channel and advances every group's pending operations. */
    void progress() {
        lock.lock();
        try {
            drainControl();
            testSends();
            for (MpiGroup group : groups.values()) {
                group.advance();
            }
        } finally {
            lock.unlock();
        }
    }

    MemorySegment dataWorld() {
        return dataWorld;
    }

    MemorySegment flag() {
        return flag;
    }

    MemorySegment status() {
        return status;
    }

    /**
     * Skips {@code MPI_Finalize} at exit: after a failure other ranks may be dead, and finalizing would wait for them.
     * The process then ends without it, and mpirun reports the job as failed.
     */
    public void skipFinalize() {
        locked(() -> unclean = true);
    }

    /** The reason a rank announced for leaving a channel, or null. */
    String failure(String channel, int worldRank) {
        return failedRanks.getOrDefault(channel, Map.of()).get(worldRank);
    }

    int nextTag(int peer) {
        int tag = FIRST_DATA_TAG + nextTag[peer];
        nextTag[peer] = (nextTag[peer] + 1) % DATA_TAGS;
        return tag;
    }

    /**
     * Starts creating a sub-group's communicator, for its first collective, on a thread of its own: the call returns at
     * once and the future completes when every member has joined {@code MPI_Comm_create_group}. The tag, derived from
     * the group's key, keeps concurrent creations over the same parent apart, as MPI allows.
     */
    CompletableFuture<MemorySegment> createCommunicator(MpiGroup group) {
        int tag = FIRST_GROUP_TAG + Math.floorMod(group.key().hashCode(), 30_000);
        int[] members = group.worldRanks();
        CompletableFuture<MemorySegment> created = new CompletableFuture<>();
        creationsInFlight.incrementAndGet();
        Thread.ofPlatform().daemon().name("crossbar-mpi-create " + group.name()).start(() -> {
            try {
                MemorySegment comm = mpi.commCreateGroup(dataWorld, members, tag);
                mpi.commSetErrorsReturn(comm);
                created.complete(comm);
            } catch (RuntimeException e) {
                created.completeExceptionally(e);
            } finally {
                creationsInFlight.decrementAndGet();
            }
        });
        return created;
    }

    /** The MPI datatype of an element type: reductions need the arithmetic type, transfers only the width. */
    MemorySegment type(DType dtype, boolean arithmetic) {
        return switch (dtype) {
            case F32 -> mpi.floatType;
            case F64 -> mpi.doubleType;
            case I32 -> mpi.int32;
            case I64 -> mpi.int64;
            case I8 -> mpi.int8;
            case BOOL -> mpi.uint8;
            case F16, BF16 -> {
                if (arithmetic) {
                    throw new IllegalStateException(dtype + " is reduced in F32, never by MPI directly");
                }
                yield mpi.uint16;
            }
            default -> throw new IllegalArgumentException("No MPI datatype for " + dtype + " (" + dtype.byteSize() + " bytes)");
        };
    }

    MemorySegment op(ReduceOp op, DType wire) {
        return switch (op) {
            case SUM, AVG -> mpi.opSum;
            case PROD -> mpi.opProd;
            case MAX -> wire.isFloating() ? maxNan : mpi.opMax;
            case MIN -> wire.isFloating() ? minNan : mpi.opMin;
        };
    }

    void sendControl(int peer, ControlRecord record) {
        MemorySegment[] slot = freeSendSlots.poll();
        if (slot == null) {
            slot = new MemorySegment[] {Arena.global().allocate(ControlRecord.MAX_BYTES, 8), Arena.global().allocate(ValueLayout.ADDRESS)};
        }
        record.writeTo(slot[0]);
        mpi.isend(slot[0], ControlRecord.MAX_BYTES, mpi.uint8, peer, CONTROL_TAG, control, slot[1]);
        pendingSends.add(slot);
    }

    private void testSends() {
        for (Iterator<MemorySegment[]> it = pendingSends.iterator(); it.hasNext();) {
            MemorySegment[] slot = it.next();
            if (mpi.test(slot[1], flag, status)) {
                it.remove();
                freeSendSlots.add(slot);
            }
        }
    }

    private void postControlReceive(int peer) {
        mpi.irecv(receiveBuffers[peer], ControlRecord.MAX_BYTES, mpi.uint8, peer, CONTROL_TAG, control, receiveRequests[peer]);
    }

    private void drainControl() {
        for (int peer = 0; peer < size; peer++) {
            if (peer == rank) {
                continue;
            }
            while (mpi.test(receiveRequests[peer], flag, status)) {
                ControlRecord record = ControlRecord.readFrom(receiveBuffers[peer]);
                postControlReceive(peer);
                dispatch(peer, record);
            }
        }
    }

    private void dispatch(int peer, ControlRecord record) {
        if (record.kind() == ControlRecord.Kind.FAILED) {
            failedRanks.computeIfAbsent(record.group(), k -> new HashMap<>()).put(peer, record.text());
            return;
        }
        MpiGroup group = groups.get(record.group());
        if (group != null) {
            group.deliver(peer, record);
        } else {
            early.computeIfAbsent(record.group(), k -> new ArrayList<>()).add(Map.entry(peer, record));
        }
    }

    private void finalizeAtExit() {
        if (!lock.tryLock()) {
            LOG.warn("MPI is not finalized: another thread is inside MPI at exit");
            return;
        }
        try {
            if (unclean || creationsInFlight.get() > 0 || groups.values().stream().anyMatch(MpiGroup::broken)) {
                LOG.debug("MPI is not finalized: a rank failed, or a collective or a communicator's creation was left in flight");
                return;
            }
            for (int peer = 0; peer < size; peer++) {
                if (peer != rank) {
                    mpi.cancel(receiveRequests[peer]);
                    while (!mpi.test(receiveRequests[peer], flag, status)) {
                        Thread.onSpinWait();
                    }
                }
            }
            while (!pendingSends.isEmpty()) {
                testSends();
            }
            mpi.finalizeMpi();
        } catch (MpiException e) {
            LOG.warn("MPI_Finalize failed: {}", e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    private static int environmentInt(String name, int fallback) {
        String value = System.getenv(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new MpiException(String.format(Locale.ROOT, "%s must be an integer, got '%s'", name, value), e);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "MpiCommunicator[rank %d of %d, local rank %d of %d]", rank, size, localRank, localSize);
    }
}
