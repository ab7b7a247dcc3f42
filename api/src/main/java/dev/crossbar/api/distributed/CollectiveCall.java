package dev.crossbar.api.distributed;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;

/**
 * One rank's call of a collective: what it must agree on with the other ranks ({@link #signature()}) and who made
 * it.
 *
 * @param op the collective's name
 * @param arguments the arguments every rank must agree on, rendered, such as {@code "SUM, f32[4]"}
 * @param agreement what the calls of one rendezvous must have in common: the signature for collectives, the
 *     channel for send and receive
 * @param globalRank the caller's global rank
 */
record CollectiveCall(String op, String arguments, String agreement, int globalRank) {

    static CollectiveCall collective(String op, String arguments, int globalRank) {
        return new CollectiveCall(op, arguments, op + "(" + arguments + ")", globalRank);
    }


    static String tensorArgument(DType dtype, Shape shape) {
        return dtype.shortName() + shape;
    }

    /** The call as written, such as {@code "allReduce(SUM, f32[4])"}. */
    String signature() {
        return op + "(" + arguments + ")";
    }

    @Override
    public String toString() {
        return signature() + " from rank " + globalRank;
    }
}
