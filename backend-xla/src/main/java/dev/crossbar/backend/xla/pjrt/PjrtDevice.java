package dev.crossbar.backend.xla.pjrt;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Map;

/** An addressable device of a {@link PjrtClient}, with what its {@code PJRT_DeviceDescription} says about it. */
public final class PjrtDevice {
    private final MemorySegment handle;
    private final int id;
    private final int processIndex;
    private final int localHardwareId;
    private final String kind;
    private final String description;
    private final Map<String, Object> attributes;

    PjrtDevice(MemorySegment handle, int id, int processIndex, int localHardwareId, String kind, String description, Map<String, Object> attributes) {
        this.handle = handle;
        this.id = id;
        this.processIndex = processIndex;
        this.localHardwareId = localHardwareId;
        this.kind = kind;
        this.description = description;
        this.attributes = Map.copyOf(attributes);
    }

    MemorySegment handle() {
        return handle;
    }

    /**
     * Returns the device id, unique among the client's devices ({@code PJRT_DeviceDescription_Id}).
     *
     * @return the id
     */
    public int id() {
        return id;
    }

    /**
     * Returns the index of the process the device belongs to.
     *
     * @return 0 in a single-process client
     */
    public int processIndex() {
        return processIndex;
    }

    /**
     * Returns the plugin's opaque hardware id ({@code PJRT_Device_LocalHardwareId}).
     *
     * @return the id, -1 if the plugin defines none
     */
    public int localHardwareId() {
        return localHardwareId;
    }

    /**
     * Returns the vendor's kind string ({@code PJRT_DeviceDescription_Kind}), such as {@code NC_v2}.
     *
     * @return the kind
     */
    public String kind() {
        return kind;
    }

    /**
     * Returns the plugin's terse text for the device ({@code PJRT_DeviceDescription_ToString}).
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * Returns the device's attributes ({@code PJRT_DeviceDescription_Attributes}).
     *
     * @return values by name: {@code String}, {@code Long}, {@code List<Long>}, {@code Float} or {@code Boolean}
     */
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (id %d, kind %s)", description, id, kind);
    }
}
