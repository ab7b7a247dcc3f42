package dev.crossbar.spi;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Versions of the primitive op set. A backend's cells are pairs of an op of some version and an element type. */
public enum OpSet {
    /** The first op set: creation, unary, binary, compare, select, cast, reduce, matmul, layout and indexing ops. */
    V1(EnumSet.allOf(Op.class));

    private final Set<Op> ops;

    OpSet(Set<Op> ops) {
        this.ops = Collections.unmodifiableSet(ops);
    }

    /**
     * Returns the ops of this version.
     *
     * @return the ops
     */
    public Set<Op> ops() {
        return ops;
    }

    /**
     * Returns the op set this build of Crossbar implements.
     *
     * @return the newest version
     */
    public static OpSet current() {
        return V1;
    }
}
