package dev.crossbar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The documented order: builder, then system property, then environment, then priority. */
class PriorityOrderSelectionPolicyTest {
    private static final BackendRegistry REGISTRY = new BackendRegistry(new RuntimeConfiguration(Map.of(), Map.of(), Map.of()));
    private final SelectionPolicy policy = new PriorityOrderSelectionPolicy();

    private String select(Map<String, String> builder, Map<String, String> systemProperties, Map<String, String> environment) {
        return policy.select(REGISTRY, new RuntimeConfiguration(builder, systemProperties, environment)).name();
    }

    @Test
    void withoutANameTheHighestPriorityAvailableBackendWins() {
        // missinglib has the highest priority (100) but is unavailable; fake (50) beats cpu (0).
        assertEquals("fake", select(Map.of(), Map.of(), Map.of()));
    }

    @Test
    void environmentBeatsPriority() {
        assertEquals("cpu", select(Map.of(), Map.of(), Map.of("CROSSBAR_BACKEND", "cpu")));
    }

    @Test
    void systemPropertyBeatsEnvironment() {
        assertEquals("cpu", select(Map.of(), Map.of("crossbar.backend", "cpu"), Map.of("CROSSBAR_BACKEND", "fake")));
    }

    @Test
    void builderBeatsSystemProperty() {
        assertEquals("fake", select(Map.of("crossbar.backend", "fake"), Map.of("crossbar.backend", "cpu"), Map.of("CROSSBAR_BACKEND", "cpu")));
    }

    @Test
    void blankSettingsCountAsUnset() {
        assertEquals("fake", select(Map.of(), Map.of("crossbar.backend", " "), Map.of("CROSSBAR_BACKEND", "")));
    }

    @Test
    void unknownCrossbarBackendNamesItsArtifact() {
        BackendNotFoundException e = assertThrows(BackendNotFoundException.class,
                () -> select(Map.of(), Map.of("crossbar.backend", "rocm"), Map.of()));
        assertEquals("Backend 'rocm' not found; available: [cpu, fake]; add dev.crossbar:crossbar-backend-rocm to the classpath"
                + " (the name came from system property crossbar.backend)", e.getMessage());
        assertEquals("rocm", e.requested());
    }

    @Test
    void unknownThirdPartyBackendAsksForItsJar() {
        BackendNotFoundException e = assertThrows(BackendNotFoundException.class,
                () -> select(Map.of(), Map.of(), Map.of("CROSSBAR_BACKEND", "opencl")));
        assertEquals("Backend 'opencl' not found; available: [cpu, fake]; add the jar of the plugin that provides 'opencl' to the classpath"
                + " or module path (the name came from environment variable CROSSBAR_BACKEND)", e.getMessage());
    }

    @Test
    void unavailableBackendGivesItsReason() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> select(Map.of("crossbar.backend", "missinglib"), Map.of(), Map.of()));
        assertEquals("Backend 'missinglib' is not available: libfixture.so.1 not found (dlopen: No such file or directory);"
                + " available: [cpu, fake] (the name came from the builder's crossbar.backend)", e.getMessage());
    }

    @Test
    void brokenBackendIsNotSelectable() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> select(Map.of("crossbar.backend", "badprobe"), Map.of(), Map.of()));
        assertEquals(BackendStatus.BROKEN, e.backend().status());
    }
}
