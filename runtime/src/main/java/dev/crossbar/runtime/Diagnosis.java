package dev.crossbar.runtime;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What discovery and selection found, without creating a backend; what {@code crossbar doctor} prints.
 *
 * @param backends every discovered backend, usable or not, sorted by name
 * @param selected the backend selection chose, if it succeeded
 * @param selectionFailure why selection failed, if it did; empty when a backend was selected
 */
public record Diagnosis(List<DiscoveredBackend> backends, Optional<DiscoveredBackend> selected, Optional<String> selectionFailure) {
    /**
     * Freezes the parts.
     *
     * @param backends the backends
     * @param selected the selected backend
     * @param selectionFailure the failure
     */
    public Diagnosis {
        backends = List.copyOf(backends);
        requireNonNull(selected, "selected is null");
        requireNonNull(selectionFailure, "selectionFailure is null");
        if (selected.isPresent() == selectionFailure.isPresent()) {
            throw new IllegalArgumentException("Exactly one of selected and selectionFailure is present: " + selected + ", " + selectionFailure);
        }
    }
}
