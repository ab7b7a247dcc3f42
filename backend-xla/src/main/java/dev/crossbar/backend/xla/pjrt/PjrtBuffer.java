package dev.crossbar.backend.xla.pjrt;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * A device buffer of a {@link PjrtClient}. Closing it destroys the {@code PJRT_Buffer}, then waits for the plugin to
 * release the host memory it was created from, then frees that memory.
 */
public final class PjrtBuffer extends PjrtResource {
    private final PjrtDevice device;
    private final DType dtype;
    private final Shape shape;
    private Arena staging;
    private MemorySegment doneWithStaging;

    PjrtBuffer(PjrtClient client, MemorySegment handle, PjrtDevice device, DType dtype, Shape shape, Arena staging, MemorySegment doneWithStaging) {
        super(client, handle);
        this.device = device;
        this.dtype = dtype;
        this.shape = shape;
        this.staging = staging;
        this.doneWithStaging = doneWithStaging;
    }

    /**
     * Returns the device holding the buffer.
     *
     * @return the device
     */
    public PjrtDevice device() {
        return device;
    }

    /**
     * Returns the element type.
     *
     * @return the dtype
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * Returns the shape.
     *
     * @return the shape
     */
    public Shape shape() {
        return shape;
    }

    @Override
    void destroy(MemorySegment handle) {
        client().nativePlugin().bufferDestroy(handle);
        releaseStaging();
    }

    /** Waits until the plugin no longer reads the staging memory, then frees it; for zero-copy this follows the destroy. */
    void releaseStaging() {
        Arena arena;
        MemorySegment done;
        synchronized (this) {
            arena = staging;
            done = doneWithStaging;
            staging = null;
            doneWithStaging = null;
        }
        if (arena == null) {
            return;
        }
        // If the wait fails, the plugin may still read the staging memory: it stays allocated rather than freed under it.
        client().nativePlugin().awaitEvent(done, client().eventTimeout(), "PJRT_Client_BufferFromHostBuffer (done_with_host_buffer)");
        arena.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PJRT buffer %s%s on %s", dtype, shape, device);
    }
}
