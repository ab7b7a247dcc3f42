package dev.crossbar.runtime.internal.ffi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One message of the control channel between two processes: a rank arrived at a collective (with its call, so every
 * rank can check that the calls agree), a rank gave up on one (its timeout expired), a rank announces a point-to-point
 * send (element type, shape and the data message's tag), or a rank of the job failed.
 *
 * @param kind what happened
 * @param group the key of the group it concerns (the channel for {@link Kind#FAILED})
 * @param sequence the collective's sequence number in the group, or the send's number between the two ranks
 * @param text the call's signature, or the reason
 * @param dtype the ordinal of the sent element type, or -1
 * @param dims the sent shape, or empty
 * @param tag the data message's tag, or 0
 * @param ranks the ranks a timed-out collective missed, or empty
 */
record ControlRecord(Kind kind, String group, long sequence, String text, int dtype, long[] dims, int tag, List<Integer> ranks) {
    /** The size of every control message's receive buffer. */
    static final int MAX_BYTES = 1024;
    /** At most 32 dims and 32 ranks, a key of 200 bytes and a text of this many: 1,008 bytes in all. */
    private static final int TEXT_BUDGET = 400;

    enum Kind {
        ARRIVE,
        ABANDON,
        SEND,
        FAILED
    }

    static ControlRecord arrive(String group, long sequence, String signature) {
        return new ControlRecord(Kind.ARRIVE, group, sequence, signature, -1, new long[0], 0, List.of());
    }

    static ControlRecord abandon(String group, long sequence, List<Integer> missing) {
        return new ControlRecord(Kind.ABANDON, group, sequence, "", -1, new long[0], 0, missing);
    }

    static ControlRecord send(String group, long sequence, int dtype, long[] dims, int tag) {
        return new ControlRecord(Kind.SEND, group, sequence, "", dtype, dims, tag, List.of());
    }

    static ControlRecord failed(String channel, String reason) {
        return new ControlRecord(Kind.FAILED, channel, 0, reason, -1, new long[0], 0, List.of());
    }

    /** Writes the record into a buffer of {@link #MAX_BYTES}, cutting the text if it is too long. */
    void writeTo(MemorySegment buffer) {
        ByteBuffer out = ByteBuffer.allocate(MAX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) kind.ordinal()).putLong(sequence).putInt(dtype).putInt(tag);
        out.put((byte) dims.length);
        for (long d : dims) {
            out.putLong(d);
        }
        out.putShort((short) ranks.size());
        for (int r : ranks.subList(0, Math.min(ranks.size(), 32))) {
            out.putInt(r);
        }
        putString(out, group, 200);
        putString(out, text, TEXT_BUDGET);
        MemorySegment.copy(out.array(), 0, buffer, ValueLayout.JAVA_BYTE, 0, out.position());
    }

    static ControlRecord readFrom(MemorySegment buffer) {
        ByteBuffer in = ByteBuffer.wrap(buffer.toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.LITTLE_ENDIAN);
        Kind kind = Kind.values()[in.get()];
        long sequence = in.getLong();
        int dtype = in.getInt();
        int tag = in.getInt();
        long[] dims = new long[in.get()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = in.getLong();
        }
        int rankCount = Math.min(in.getShort(), 32);
        List<Integer> ranks = new ArrayList<>(rankCount);
        for (int i = 0; i < rankCount; i++) {
            ranks.add(in.getInt());
        }
        String group = getString(in);
        String text = getString(in);
        return new ControlRecord(kind, group, sequence, text, dtype, dims, tag, List.copyOf(ranks));
    }

    private static void putString(ByteBuffer out, String value, int budget) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, budget);
        out.putShort((short) length).put(bytes, 0, length);
    }

    private static String getString(ByteBuffer in) {
        byte[] bytes = new byte[in.getShort()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
