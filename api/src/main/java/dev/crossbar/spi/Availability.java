package dev.crossbar.spi;

import dev.crossbar.api.Device;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a probe found: whether the backend can run here, its devices and library versions, or the exact reason it
 * cannot ("libcuda.so.1 not found", "hipGetDeviceCount returned hipErrorNoDevice (100)").
 *
 * @param available whether {@link BackendProvider#create} can succeed
 * @param devices the devices found; empty when unavailable
 * @param versions library and driver versions found, by name, even when unavailable
 * @param reason why the backend is unavailable; empty when available
 */
public record Availability(boolean available, List<Device> devices, SortedMap<String, String> versions, String reason) {

    /**
     * Freezes the parts.
     *
     * @param available whether the backend can run
     * @param devices the devices
     * @param versions the versions
     * @param reason the reason
     */
    public Availability {
        devices = List.copyOf(devices);
        versions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(versions));
        Objects.requireNonNull(reason, "reason is null");
    }

    /**
     * Reports an available backend.
     *
     * @param devices its devices, at least one
     * @param versions library versions found
     * @return the availability
     */
    public static Availability available(List<Device> devices, Map<String, String> versions) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("An available backend has at least one device");
        }
        return new Availability(true, devices, new TreeMap<>(versions), "");
    }

    /**
     * Reports an unavailable backend.
     *
     * @param reason what is missing, exactly, with error names and numbers
     * @param versions library versions found before the failure
     * @return the availability
     */
    public static Availability unavailable(String reason, Map<String, String> versions) {
        if (reason.isBlank()) {
            throw new IllegalArgumentException("An unavailable backend must say why");
        }
        return new Availability(false, List.of(), new TreeMap<>(versions), reason);
    }
}
