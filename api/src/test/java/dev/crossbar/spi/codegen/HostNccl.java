package dev.crossbar.spi.codegen;

import dev.crossbar.spi.ffi.NcclApi;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A test double of the NCCL API that runs the collectives on host memory, between the ranks of one JVM: what a rank
 * "queues" joins the round of its communicator's clique with the same position in every rank's call order, and the
 * round runs when the last rank joins (like NCCL's kernels, which wait on the device for every rank). Until then the
 * ranks' streams are busy, so a rank that never calls leaves the others waiting, as NCCL would. It reduces F32 only,
 * carries no point-to-point transfer, and can be told to stop running rounds, as a hung kernel would.
 */
final class HostNccl implements NcclApi {
    /** NCCL 2.20.0, which has ncclAvg. */
    static final int VERSION_CODE = 22000;

    private final List<String> calls = new ArrayList<>();
    private final Map<Long, Member> members = new HashMap<>();
    private final Map<String, Clique> cliques = new HashMap<>();
    private final Map<Long, Integer> queuedPerStream = new HashMap<>();
    private long nextHandle = 1;
    private int nextId;
    private boolean hung;

    private record Member(Clique clique, int rank) {
    }

    private record Contribution(String op, long send, long receive, long count, DataType type, RedOp reduction, int root, long stream) {
    }

    private static final class Clique {
        final int size;
        final List<Contribution[]> rounds = new ArrayList<>();
        final int[] called;

        Clique(int size) {
            this.size = size;
            this.called = new int[size];
        }
    }

    /** Every round completed from now on stays queued: the ranks' streams never become idle. */
    synchronized void hang() {
        hung = true;
    }

    /** What the ranks called, in order, such as {@code "allReduce by rank 0"} or {@code "ncclCommAbort by rank 1"}. */
    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized boolean isIdle(MemorySegment stream) {
        return queuedPerStream.getOrDefault(stream.address(), 0) == 0;
    }

    @Override
    public int versionCode() {
        return VERSION_CODE;
    }

    @Override
    public synchronized byte[] getUniqueId() {
        byte[] id = new byte[UNIQUE_ID_BYTES];
        byte[] text = ("host clique " + nextId++).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, id, 0, text.length);
        return id;
    }

    @Override
    public synchronized MemorySegment commInitRank(int rankCount, byte[] uniqueId, int rank) {
        Clique clique = cliques.computeIfAbsent(new String(uniqueId, StandardCharsets.UTF_8).trim(), key -> new Clique(rankCount));
        long handle = nextHandle++;
        members.put(handle, new Member(clique, rank));
        return MemorySegment.ofAddress(handle);
    }

    @Override
    public synchronized void commDestroy(MemorySegment communicator) {
        calls.add("ncclCommDestroy by rank " + member(communicator).rank);
    }

    /** Drops what the rank still has queued, as {@code ncclCommAbort} stops the communicator's work on the device. */
    @Override
    public synchronized void commAbort(MemorySegment communicator) {
        Member member = member(communicator);
        calls.add("ncclCommAbort by rank " + member.rank);
        for (Contribution[] round : member.clique.rounds) {
            Contribution mine = round[member.rank];
            if (mine != null) {
                queuedPerStream.merge(mine.stream, -1, Integer::sum);
                round[member.rank] = null;
            }
        }
    }

    @Override
    public int commGetAsyncError(MemorySegment communicator) {
        return 0;
    }

    @Override
    public void allReduce(long send, long receive, long count, DataType type, RedOp op, MemorySegment communicator, MemorySegment stream) {
        queue(communicator, new Contribution("allReduce", send, receive, count, type, op, -1, stream.address()));
    }

    @Override
    public void allGather(long send, long receive, long sendCount, DataType type, MemorySegment communicator, MemorySegment stream) {
        queue(communicator, new Contribution("allGather", send, receive, sendCount, type, null, -1, stream.address()));
    }

    @Override
    public void reduceScatter(long send, long receive, long receiveCount, DataType type, RedOp op, MemorySegment communicator, MemorySegment stream) {
        queue(communicator, new Contribution("reduceScatter", send, receive, receiveCount, type, op, -1, stream.address()));
    }

    @Override
    public void broadcast(long send, long receive, long count, DataType type, int root, MemorySegment communicator, MemorySegment stream) {
        queue(communicator, new Contribution("broadcast", send, receive, count, type, null, root, stream.address()));
    }

    @Override
    public void send(long send, long count, DataType type, int peer, MemorySegment communicator, MemorySegment stream) {
        throw new UnsupportedOperationException("HostNccl carries no point-to-point transfers");
    }

    @Override
    public void receive(long receive, long count, DataType type, int peer, MemorySegment communicator, MemorySegment stream) {
        throw new UnsupportedOperationException("HostNccl carries no point-to-point transfers");
    }

    @Override
    public void groupStart() {
        throw new UnsupportedOperationException("HostNccl carries no grouped calls");
    }

    @Override
    public void groupEnd() {
        throw new UnsupportedOperationException("HostNccl carries no grouped calls");
    }

    private Member member(MemorySegment communicator) {
        Member member = members.get(communicator.address());
        if (member == null) {
            throw new IllegalArgumentException("not a communicator of this HostNccl: " + communicator);
        }
        return member;
    }

    private synchronized void queue(MemorySegment communicator, Contribution contribution) {
        if (contribution.reduction != null && contribution.type != DataType.FLOAT32) {
            throw new UnsupportedOperationException("HostNccl reduces FLOAT32 only, got " + contribution.type);
        }
        Member member = member(communicator);
        Clique clique = member.clique;
        calls.add(contribution.op + " by rank " + member.rank);
        int position = clique.called[member.rank]++;
        while (clique.rounds.size() <= position) {
            clique.rounds.add(new Contribution[clique.size]);
        }
        Contribution[] round = clique.rounds.get(position);
        round[member.rank] = contribution;
        queuedPerStream.merge(contribution.stream, 1, Integer::sum);
        boolean complete = true;
        for (Contribution c : round) {
            complete &= c != null;
        }
        if (complete && !hung) {
            run(round);
            for (Contribution c : round) {
                queuedPerStream.merge(c.stream, -1, Integer::sum);
            }
        }
    }

    private static void run(Contribution[] round) {
        Contribution first = round[0];
        for (Contribution c : round) {
            if (!c.op.equals(first.op) || c.count != first.count || c.type != first.type || c.reduction != first.reduction || c.root != first.root) {
                throw new IllegalStateException(String.format(Locale.ROOT, "mismatched calls reached HostNccl: %s and %s", first, c));
            }
        }
        int size = round.length;
        long elementBytes = bytes(first.type);
        switch (first.op) {
            case "allReduce" -> {
                float[] result = combine(round, 0, first.count, first.reduction);
                for (Contribution c : round) {
                    MemorySegment.copy(result, 0, HostGpuRuntime.memory(c.receive, first.count * 4), ValueLayout.JAVA_FLOAT, 0, result.length);
                }
            }
            case "reduceScatter" -> {
                for (int r = 0; r < size; r++) {
                    float[] chunk = combine(round, r * first.count, first.count, first.reduction);
                    MemorySegment.copy(chunk, 0, HostGpuRuntime.memory(round[r].receive, first.count * 4), ValueLayout.JAVA_FLOAT, 0, chunk.length);
                }
            }
            case "allGather" -> {
                long bytes = first.count * elementBytes;
                for (Contribution to : round) {
                    for (int from = 0; from < size; from++) {
                        MemorySegment.copy(HostGpuRuntime.memory(round[from].send, bytes), 0, HostGpuRuntime.memory(to.receive + from * bytes, bytes), 0, bytes);
                    }
                }
            }
            case "broadcast" -> {
                long bytes = first.count * elementBytes;
                byte[] sent = HostGpuRuntime.memory(round[first.root].send, bytes).toArray(ValueLayout.JAVA_BYTE);
                for (Contribution to : round) {
                    MemorySegment.copy(sent, 0, HostGpuRuntime.memory(to.receive, bytes), ValueLayout.JAVA_BYTE, 0, sent.length);
                }
            }
            default -> throw new IllegalStateException("HostNccl cannot run " + first.op);
        }
    }

    /** Elements {@code from .. from + count} of every rank's send buffer, combined in rank order. */
    private static float[] combine(Contribution[] round, long from, long count, RedOp op) {
        float[] acc = HostGpuRuntime.memory(round[0].send + from * 4, count * 4).toArray(ValueLayout.JAVA_FLOAT);
        for (int r = 1; r < round.length; r++) {
            float[] term = HostGpuRuntime.memory(round[r].send + from * 4, count * 4).toArray(ValueLayout.JAVA_FLOAT);
            for (int i = 0; i < acc.length; i++) {
                acc[i] = switch (op) {
                    case SUM, AVG -> acc[i] + term[i];
                    case PROD -> acc[i] * term[i];
                    case MAX -> Math.max(acc[i], term[i]);
                    case MIN -> Math.min(acc[i], term[i]);
                };
            }
        }
        if (op == RedOp.AVG) {
            for (int i = 0; i < acc.length; i++) {
                acc[i] /= round.length;
            }
        }
        return acc;
    }

    private static long bytes(DataType type) {
        return switch (type) {
            case INT8, UINT8 -> 1;
            case FLOAT16, BFLOAT16 -> 2;
            case INT32, FLOAT32 -> 4;
            case INT64, FLOAT64 -> 8;
        };
    }
}
