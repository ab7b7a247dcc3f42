package dev.crossbar.backend.xla.pjrt;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** A program compiled and loaded by a {@link PjrtClient}; closing it destroys the {@code PJRT_LoadedExecutable}. */
public final class PjrtExecutable extends PjrtResource {
    private final String name;
    private final int outputCount;
    private final List<PjrtDevice> devices;

    PjrtExecutable(PjrtClient client, MemorySegment handle, String name, int outputCount, List<PjrtDevice> devices) {
        super(client, handle);
        this.name = name;
        this.outputCount = outputCount;
        this.devices = List.copyOf(devices);
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
    void destroy(MemorySegment handle) {
        client().nativePlugin().loadedExecutableDestroy(handle);
    }

    @Override
    public String toString() {
        return "PJRT executable '" + name + "' on " + devices;
    }
}
