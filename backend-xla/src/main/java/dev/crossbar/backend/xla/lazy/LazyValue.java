package dev.crossbar.backend.xla.lazy;

import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.GraphOp;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A value of the graph being recorded: either a primitive op or a collective applied to other lazy values, or a leaf holding host data
 * (a buffer's materialized contents or a scalar argument) that becomes an input of the compiled program.
 */
public final class LazyValue {
    private final ValueType type;
    private final GraphOp op;
    private final List<LazyValue> operands;
    private final Attributes attributes;
    private final MemorySegment data;

    private LazyValue(ValueType type, GraphOp op, List<LazyValue> operands, Attributes attributes, MemorySegment data) {
        this.type = type;
        this.op = op;
        this.operands = operands;
        this.attributes = attributes;
        this.data = data;
    }

    static LazyValue node(GraphOp op, ValueType type, Attributes attributes, List<LazyValue> operands) {
        return new LazyValue(type, op, List.copyOf(operands), attributes, null);
    }

    /** A leaf over host data that is never written again (buffers replace their segment instead of mutating it). */
    static LazyValue leaf(ValueType type, MemorySegment data) {
        if (data.byteSize() != type.byteSize()) {
            throw new IllegalArgumentException("host data of " + data.byteSize() + " bytes cannot hold " + type);
        }
        return new LazyValue(type, null, List.of(), Attributes.NONE, data);
    }

    /**
     * Returns the value's type.
     *
     * @return its element type and shape
     */
    public ValueType type() {
        return type;
    }

    boolean isLeaf() {
        return op == null;
    }

    GraphOp op() {
        return op;
    }

    List<LazyValue> operands() {
        return operands;
    }

    Attributes attributes() {
        return attributes;
    }

    MemorySegment data() {
        return data;
    }

    @Override
    public String toString() {
        return isLeaf() ? "input " + type : op.opName() + " -> " + type;
    }
}
