package dev.crossbar.api;

import java.util.Locale;
import java.util.Objects;

/**
 * Names one device of one backend, written as PyTorch writes it: {@code cpu:0}, {@code cuda:1}, {@code xla:0}.
 *
 * @param backend the backend's name, such as {@code "cpu"}
 * @param index the device's index within that backend, from 0
 */
public record Device(String backend, int index) {

    /**
     * Checks the parts of the name.
     *
     * @param backend the backend's name
     * @param index the device index
     */
    public Device {
        Objects.requireNonNull(backend, "backend is null");
        if (backend.isEmpty() || backend.contains(":")) {
            throw new IllegalArgumentException("Backend name must be non-empty and contain no ':', got '" + backend + "'");
        }
        if (index < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Device index must be >= 0, got %d for backend '%s'", index, backend));
        }
    }

    /**
     * Parses {@code "name:index"}, or {@code "name"} meaning index 0.
     *
     * @param text the device name
     * @return the device
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static Device parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new Device(text, 0);
        }
        try {
            return new Device(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Device must look like 'cpu:0', got '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return backend + ":" + index;
    }
}
