package dev.crossbar.backend.xla.pjrt;

import dev.crossbar.api.AlreadyClosedException;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** A program compiled and loaded by a {@link PjrtClient}; closing it destroys the {@code PJRT_LoadedExecutable}. */
public final class PjrtExecutable implements AutoCloseable {
    private final PjrtClient client;
    private final MemorySegment handle;
    private final String name;
    private final int outputCount;
    private final List<PjrtDevice> devices;
    private boolean closed;

    PjrtExecutable(PjrtClient client, MemorySegment handle, String name, int outputCount, List<PjrtDevice> devices) {
        this.client = client;
        this.handle = handle;
        this.name = name;
        this.outputCount = outputCount;
        this.devices = List.copyOf(devices);
    }

    synchronized MemorySegment handle() {
        if (closed) {
            throw new AlreadyClosedException("Already closed: " + this);
        }
        return handle;
    }

    PjrtClient client() {
        return client;
    }

    /**
     * Returns the executable's name ({@code PJRT_Executable_Name}).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the number of results per device ({@code PJRT_Executable_NumOutputs}).
     *
     * @return the result count
     */
    public int outputCount() {
        return outputCount;
    }

    /**
     * Returns the devices it runs on, in the order of the argument lists of {@link PjrtClient#executeOnDevices}.
     *
     * @return the devices
     */
    public List<PjrtDevice> devices() {
        return devices;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        client.release(this, () -> client.nativePlugin().loadedExecutableDestroy(handle));
    }

    @Override
    public String toString() {
        return "PJRT executable '" + name + "' on " + devices;
    }
}
