package dev.crossbar.backend.xla.pjrt;

import dev.crossbar.api.AlreadyClosedException;
import java.lang.foreign.MemorySegment;

/** A PJRT object a {@link PjrtClient} owns: usable until closed, destroyed once, then forgotten by its client. */
abstract sealed class PjrtResource implements AutoCloseable permits PjrtBuffer, PjrtExecutable {
    private final PjrtClient client;
    private final MemorySegment handle;
    private boolean closed;

    PjrtResource(PjrtClient client, MemorySegment handle) {
        this.client = client;
        this.handle = handle;
    }

    final PjrtClient client() {
        return client;
    }

    /** Returns the native handle, failing once closed. */
    final synchronized MemorySegment handle() {
        if (closed) {
            throw new AlreadyClosedException("Already closed: " + this);
        }
        return handle;
    }

    /** Destroys the native object; called once, by {@link #close()}. */
    abstract void destroy(MemorySegment handle);

    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        client.release(this, () -> destroy(handle));
    }
}
