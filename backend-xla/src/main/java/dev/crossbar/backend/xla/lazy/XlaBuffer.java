package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.spi.DeviceBuffer;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;

/**
 * Memory of the xla backend: the contents from the last materialization (host data, replaced but never mutated, so
 * graph inputs that captured it stay valid), and the value recorded since, if any. Guarded by its engine's lock.
 */
final class XlaBuffer implements DeviceBuffer {
    private final LazyEngine engine;
    private final Device device;
    private final long byteSize;
    private final Map<DType, LazyValue> inputs = new EnumMap<>(DType.class);
    private MemorySegment contents;
    private LazyValue pending;
    private long writeSequence;
    private boolean closed;

    XlaBuffer(LazyEngine engine, Device device, long byteSize) {
        this.engine = engine;
        this.device = device;
        this.byteSize = byteSize;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public void close() {
        engine.release(this);
    }

    void checkOpen() {
        if (closed) {
            throw new AlreadyClosedException("Already closed: " + this);
        }
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
        pending = null;
        inputs.clear();
        contents = null;
    }

    LazyValue pending() {
        return pending;
    }

    long writeSequence() {
        return writeSequence;
    }

    void record(LazyValue value, long sequence) {
        pending = value;
        writeSequence = sequence;
    }

    /** The materialized contents; memory never written reads as zeros. */
    MemorySegment contents() {
        if (contents == null) {
            contents = java.lang.foreign.Arena.ofAuto().allocate(byteSize, 8);
        }
        return contents;
    }

    void materialize(MemorySegment data) {
        contents = data;
        pending = null;
        inputs.clear();
    }

    /** The contents read as a rank-1 value of {@code dtype}: one graph input per buffer and type until they change. */
    LazyValue input(DType dtype) {
        return inputs.computeIfAbsent(dtype, d -> LazyValue.leaf(LazyEngine.flatType(this, d), contents()));
    }

    @Override
    public String toString() {
        return "XlaBuffer[" + byteSize + " bytes on " + device + (pending != null ? ", pending " + pending : "") + "]";
    }
}
